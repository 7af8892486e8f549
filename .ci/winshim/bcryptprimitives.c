/*
 * bcryptprimitives.dll shim for running Go (>= 1.24) Windows binaries under
 * wine versions that lack this DLL (Debian 12 ships wine 8.0).
 *
 * The Go runtime loads bcryptprimitives.dll from system32 at start and calls
 * ProcessPrng for all of its randomness; without the DLL the process dies
 * before main. This shim exports ProcessPrng and implements it with
 * RtlGenRandom (advapi32!SystemFunction036), which wine has.
 *
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -s -nostdlib -e DllMain \
 *            -o bcryptprimitives.dll bcryptprimitives.c bcryptprimitives.def -ladvapi32
 * Used only by .ci/platforms.sh; nothing here ships with the library.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buf, ULONG len); /* RtlGenRandom */

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
	(void)inst;
	(void)reason;
	(void)reserved;
	return TRUE;
}

package rawpage_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/rawpage"
)

// TestDecodeFreshFile decodes every page of a fresh file through
// the low-level API and re-encodes the meta and leaf pages byte for byte.
func TestDecodeFreshFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: 4096})
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("widgets"))
		if err != nil {
			return err
		}
		return b.Put([]byte("foo"), []byte("bar"))
	}))
	require.NoError(t, db.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)

	var metas [2]rawpage.Meta
	for i := range metas {
		h, err := rawpage.DecodeHeader(data[i*4096:])
		require.NoError(t, err)
		require.Equal(t, uint64(i), h.ID)
		require.Equal(t, "meta", h.Type())
		metas[i], err = rawpage.DecodeMeta(data[i*4096:])
		require.NoError(t, err)
		require.NoError(t, metas[i].Validate())
		require.Equal(t, metas[i].Checksum, metas[i].Sum())
		buf := make([]byte, 4096)
		copy(buf, data[i*4096:(i+1)*4096])
		require.NoError(t, rawpage.EncodeMeta(buf, metas[i]))
		require.Equal(t, data[i*4096:(i+1)*4096], buf)
	}
	active := metas[0]
	if metas[1].Txid > active.Txid {
		active = metas[1]
	}
	require.Equal(t, uint64(2), active.Txid)

	root := data[active.Root*4096 : (active.Root+1)*4096]
	elems, err := rawpage.DecodeLeaf(root)
	require.NoError(t, err)
	require.Len(t, elems, 1)
	require.Equal(t, "widgets", string(elems[0].Key))
	require.Equal(t, rawpage.BucketLeafFlag, elems[0].Flags)
	bucketRoot, seq, err := rawpage.DecodeBucketHeader(elems[0].Value)
	require.NoError(t, err)
	require.Zero(t, bucketRoot, "a bucket of one pair is inline")
	require.Zero(t, seq)
	inline, err := rawpage.DecodeLeaf(elems[0].Value[rawpage.BucketHeaderSize:])
	require.NoError(t, err)
	require.Equal(t, []rawpage.LeafElement{{Key: []byte("foo"), Value: []byte("bar")}}, inline)

	h, err := rawpage.DecodeHeader(root)
	require.NoError(t, err)
	again := make([]byte, 4096)
	require.NoError(t, rawpage.EncodeLeaf(again, h.ID, h.Overflow, elems))
	require.Equal(t, root, again)

	free, err := rawpage.DecodeFreelist(data[active.Freelist*4096 : (active.Freelist+1)*4096])
	require.NoError(t, err)
	require.Equal(t, []uint64{2, 3}, free)
}

// TestDecodeRejectsDamage feeds pages whose elements point outside
// them: every decoder returns ErrCorrupt instead of reading out of bounds.
func TestDecodeRejectsDamage(t *testing.T) {
	page := make([]byte, 256)
	require.NoError(t, rawpage.EncodeLeaf(page, 7, 0, []rawpage.LeafElement{{Key: []byte("k"), Value: []byte("v")}}))
	bad := append([]byte(nil), page...)
	bad[16+4] = 0xff // pos of element 0
	_, err := rawpage.DecodeLeaf(bad)
	require.True(t, errors.Is(err, bolt.ErrCorrupt), "got %v", err)

	_, err = rawpage.DecodeBranch(page)
	require.True(t, errors.Is(err, bolt.ErrCorrupt), "a leaf is not a branch: %v", err)

	_, err = rawpage.DecodeHeader(page[:8])
	require.True(t, errors.Is(err, bolt.ErrCorrupt))

	fl := make([]byte, 64)
	rawpage.EncodeHeader(fl, rawpage.Header{ID: 2, Flags: rawpage.FreelistPageFlag, Count: 0xFFFF})
	fl[16] = 0xE8 // the real count, 1000 on a little- or 0xE8<<56 on a big-endian machine
	_, err = rawpage.DecodeFreelist(fl)
	require.True(t, errors.Is(err, bolt.ErrCorrupt), "an overflowing count: %v", err)

	require.Error(t, rawpage.EncodeLeaf(make([]byte, 20), 1, 0, []rawpage.LeafElement{{Key: []byte("k")}}))
}

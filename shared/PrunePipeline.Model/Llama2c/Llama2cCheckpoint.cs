using System.Runtime.InteropServices;

namespace PrunePipeline.Model.Llama2c;

/// <summary>
/// A legacy (version 0) llama2.c checkpoint: 7 little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads,
/// vocab_size, seq_len), then float32 tok_emb[V,d], rms_att[L,d], wq[L,d,d], wk[L,kv,d], wv[L,kv,d], wo[L,d,d],
/// rms_ffn[L,d], w1[L,f,d], w2[L,d,f], w3[L,f,d], rms_final[d], freq_cis_real[S,hs/2], freq_cis_imag[S,hs/2], and,
/// when vocab_size is negative, an untied classifier wcls[V,d]. Tensors are read on demand by file offset.
/// </summary>
public sealed class Llama2cCheckpoint
{
    /// <summary>Raw field names in file order.</summary>
    public static readonly IReadOnlyList<string> Fields =
        ["tok_embeddings", "rms_att", "wq", "wk", "wv", "wo", "rms_ffn", "w1", "w2", "w3", "rms_final", "freq_cis_real", "freq_cis_imag", "wcls"];

    private const int HeaderBytes = 28;
    private readonly Dictionary<string, (long Offset, long PerLayer, int Layers)> _layout = new(StringComparer.Ordinal);

    private Llama2cCheckpoint(string path, int[] h)
    {
        Path = path;
        Dim = h[0];
        HiddenDim = h[1];
        Layers = h[2];
        Heads = h[3];
        KvHeads = h[4];
        Vocab = Math.Abs(h[5]);
        Shared = h[5] > 0;
        SeqLen = h[6];
        HeadSize = Dim / Heads;
        long d = Dim, f = HiddenDim, kv = (long)KvHeads * HeadSize, L = Layers, V = Vocab;
        long offset = HeaderBytes;
        void Add(string name, long perLayer, int layers)
        {
            _layout[name] = (offset, perLayer, layers);
            offset += perLayer * layers * 4;
        }
        Add("tok_embeddings", V * d, 1);
        Add("rms_att", d, Layers);
        Add("wq", d * d, Layers);
        Add("wk", kv * d, Layers);
        Add("wv", kv * d, Layers);
        Add("wo", d * d, Layers);
        Add("rms_ffn", d, Layers);
        Add("w1", f * d, Layers);
        Add("w2", d * f, Layers);
        Add("w3", f * d, Layers);
        Add("rms_final", d, 1);
        Add("freq_cis_real", (long)SeqLen * HeadSize / 2, 1);
        Add("freq_cis_imag", (long)SeqLen * HeadSize / 2, 1);
        if (!Shared) Add("wcls", V * d, 1);
        ExpectedBytes = offset;
        _ = L;
    }

    public string Path { get; }
    public int Dim { get; }
    public int HiddenDim { get; }
    public int Layers { get; }
    public int Heads { get; }
    public int KvHeads { get; }
    public int Vocab { get; }
    public int SeqLen { get; }
    public int HeadSize { get; }

    /// <summary>True when the classifier is the token embedding (positive vocab_size in the header).</summary>
    public bool Shared { get; }

    /// <summary>File size the header implies.</summary>
    public long ExpectedBytes { get; }

    /// <summary>Reads and validates the header and the file size.</summary>
    public static Llama2cCheckpoint Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"llama2.c checkpoint not found: {path}", path);
        var length = new FileInfo(path).Length;
        if (length < HeaderBytes) throw new InvalidDataException($"{path}: truncated llama2.c checkpoint ({length} bytes, the header alone needs {HeaderBytes})");
        var header = new int[7];
        using (var fs = File.OpenRead(path)) fs.ReadExactly(MemoryMarshal.AsBytes(header.AsSpan()));
        string[] names = ["dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"];
        for (var i = 0; i < 7; i++)
            if (i == 5 ? header[i] == 0 || header[i] == int.MinValue : header[i] <= 0)
                throw new InvalidDataException($"{path}: bad llama2.c header: {names[i]} = {header[i]} (header {string.Join(",", header)}); is this a llama2.c v0 checkpoint?");
        if (header[0] % header[3] != 0 || header[3] % header[4] != 0 || header[0] / header[3] % 2 != 0)
            throw new InvalidDataException($"{path}: bad llama2.c header: dim {header[0]}, n_heads {header[3]}, n_kv_heads {header[4]} are inconsistent (dim must be a multiple of n_heads with an even head size, n_heads a multiple of n_kv_heads)");
        var ckpt = new Llama2cCheckpoint(path, header);
        if (length != ckpt.ExpectedBytes)
        {
            var what = length < ckpt.ExpectedBytes ? "truncated llama2.c checkpoint" : "llama2.c checkpoint has trailing bytes";
            throw new InvalidDataException($"{path}: {what}: the header (dim {ckpt.Dim}, hidden_dim {ckpt.HiddenDim}, n_layers {ckpt.Layers}, n_heads {ckpt.Heads}, n_kv_heads {ckpt.KvHeads}, vocab_size {header[5]}, seq_len {ckpt.SeqLen}) implies {ckpt.ExpectedBytes} bytes, the file has {length}");
        }
        return ckpt;
    }

    /// <summary>The equivalent HF config (RMSNorm eps 1e-5, rope_theta 10000, BOS 1, EOS 2).</summary>
    public LlamaConfig ToConfig() => new()
    {
        HiddenSize = Dim,
        IntermediateSize = HiddenDim,
        NumHiddenLayers = Layers,
        NumAttentionHeads = Heads,
        NumKeyValueHeads = KvHeads,
        HeadDim = HeadSize,
        VocabSize = Vocab,
        RmsNormEps = 1e-5f,
        RopeTheta = 10000.0,
        MaxPositionEmbeddings = SeqLen,
        TieWordEmbeddings = Shared,
        BosTokenId = 1,
        EosTokenId = 2,
    };

    /// <summary>Reads raw field <paramref name="field"/> (of <paramref name="layer"/> for per-layer fields) in llama2.c layout.</summary>
    public float[] ReadRaw(string field, int layer = 0)
    {
        if (!_layout.TryGetValue(field, out var entry))
            throw new ArgumentException($"{Path} has no field '{field}'", nameof(field));
        if (layer < 0 || layer >= entry.Layers) throw new ArgumentOutOfRangeException(nameof(layer), layer, $"field '{field}' has {entry.Layers} layer(s)");
        var values = new float[checked((int)entry.PerLayer)];
        using var fs = File.OpenRead(Path);
        fs.Position = entry.Offset + entry.PerLayer * 4 * layer;
        fs.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}

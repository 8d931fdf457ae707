using System.Text;
using PrunePipeline.Errors;

namespace PrunePipeline.Tokenizers.SentencePiece;

/// <summary>
/// The parts of a SentencePiece <c>ModelProto</c> that encoding needs. Field numbers from sentencepiece_model.proto:
/// ModelProto{1 pieces, 2 trainer_spec, 3 normalizer_spec}; SentencePiece{1 piece, 2 score, 3 type};
/// TrainerSpec{3 model_type, 24 treat_whitespace_as_suffix, 35 byte_fallback, 40 unk_id, 41 bos_id, 42 eos_id};
/// NormalizerSpec{1 name, 2 precompiled_charsmap, 3 add_dummy_prefix, 4 remove_extra_whitespaces, 5 escape_whitespaces}.
/// </summary>
public sealed record SentencePieceModel(
    IReadOnlyList<string> Pieces,
    IReadOnlyList<float> Scores,
    IReadOnlyList<PieceType> Types,
    int ModelType,
    bool ByteFallback,
    int UnkId,
    int BosId,
    int EosId,
    bool TreatWhitespaceAsSuffix,
    string NormalizerName,
    int PrecompiledCharsmapLength,
    bool AddDummyPrefix,
    bool RemoveExtraWhitespaces,
    bool EscapeWhitespaces)
{
    public const int Unigram = 1;
    public const int Bpe = 2;

    /// <summary>Parses a serialized ModelProto; <paramref name="where"/> names the source in errors.</summary>
    public static SentencePieceModel Parse(ReadOnlySpan<byte> data, string where)
    {
        var pieces = new List<string>();
        var scores = new List<float>();
        var types = new List<PieceType>();
        int modelType = Unigram, unk = 0, bos = 1, eos = 2;
        bool byteFallback = false, suffix = false, dummy = true, removeWs = true, escapeWs = true;
        var name = "";
        var charsmap = 0;

        var model = new ProtoReader(data, where);
        while (!model.AtEnd)
        {
            var (field, wire) = model.ReadTag();
            if (wire != 2) { model.Skip(wire); continue; }
            var body = model.ReadBytes();
            var r = new ProtoReader(body, where);
            switch (field)
            {
                case 1:
                    string piece = "";
                    float score = 0;
                    var type = PieceType.Normal;
                    while (!r.AtEnd)
                    {
                        var (f, w) = r.ReadTag();
                        if (f == 1 && w == 2) piece = StrictUtf8.Decode(r.ReadBytes(), where, $"piece {pieces.Count}");
                        else if (f == 2 && w == 5) score = r.ReadFloat();
                        else if (f == 3 && w == 0) type = (PieceType)(int)r.ReadVarint();
                        else r.Skip(w);
                    }

                    if (!Enum.IsDefined(type)) throw new InvalidDataException($"{where}: piece {pieces.Count} ('{piece}') has unknown type {(int)type}");
                    pieces.Add(piece);
                    scores.Add(score);
                    types.Add(type);
                    break;
                case 2:
                    while (!r.AtEnd)
                    {
                        var (f, w) = r.ReadTag();
                        if (w != 0) { r.Skip(w); continue; }
                        var v = r.ReadVarint();
                        switch (f)
                        {
                            case 3: modelType = (int)v; break;
                            case 24: suffix = v != 0; break;
                            case 35: byteFallback = v != 0; break;
                            case 40: unk = (int)(long)v; break;
                            case 41: bos = (int)(long)v; break;
                            case 42: eos = (int)(long)v; break;
                        }
                    }

                    break;
                case 3:
                    while (!r.AtEnd)
                    {
                        var (f, w) = r.ReadTag();
                        if (f == 1 && w == 2) name = StrictUtf8.Decode(r.ReadBytes(), where, "normalizer name");
                        else if (f == 2 && w == 2) charsmap = r.ReadBytes().Length;
                        else if (f is 3 or 4 or 5 && w == 0)
                        {
                            var v = r.ReadVarint() != 0;
                            if (f == 3) dummy = v;
                            else if (f == 4) removeWs = v;
                            else escapeWs = v;
                        }
                        else r.Skip(w);
                    }

                    break;
            }
        }

        if (pieces.Count == 0) throw new InvalidDataException($"{where}: no pieces; not a SentencePiece model?");
        return new SentencePieceModel(pieces, scores, types, modelType, byteFallback, unk, bos, eos, suffix, name, charsmap, dummy, removeWs, escapeWs);
    }
}

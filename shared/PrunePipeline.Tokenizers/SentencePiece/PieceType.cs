namespace PrunePipeline.Tokenizers.SentencePiece;

/// <summary>ModelProto.SentencePiece.Type (sentencepiece_model.proto numbering).</summary>
public enum PieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

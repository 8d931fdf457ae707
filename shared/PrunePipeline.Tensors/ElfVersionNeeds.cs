using System.Buffers.Binary;
using System.Text;

namespace PrunePipeline.Tensors;

/// <summary>
/// Reads and edits the version requirements (<c>.gnu.version_r</c>, the <c>Elf64_Verneed</c>/<c>Elf64_Vernaux</c>
/// chains) of a little-endian ELF64 shared library held in memory. Used for one purpose: marking a
/// <c>GLIBCXX_3.4.32</c> requirement <c>VER_FLG_WEAK</c>, so that the dynamic loader accepts an older libstdc++ and
/// leaves symbol resolution to the normal lookup (where our compatibility library supplies the one missing symbol).
/// </summary>
public static class ElfVersionNeeds
{
    /// <summary>Flag in <c>vna_flags</c>: a missing version is not fatal (elf.h <c>VER_FLG_WEAK</c>).</summary>
    public const ushort WeakFlag = 0x2;

    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>One version a library requires: from which file, the version name, and its <c>vna_flags</c>.</summary>
    public readonly record struct Requirement(string File, string Version, ushort Flags);

    /// <summary>Every (file, version) requirement of the library, in file order.</summary>
    public static IReadOnlyList<Requirement> Read(ReadOnlySpan<byte> elf)
    {
        var result = new List<Requirement>();
        foreach (var (file, version, flagsOffset) in Walk(elf))
            result.Add(new Requirement(file, version, U16(elf, flagsOffset)));
        return result;
    }

    /// <summary>Sets <see cref="WeakFlag"/> on every requirement named <paramref name="version"/>; returns how many.</summary>
    public static int MarkWeak(Span<byte> elf, string version)
    {
        var marked = 0;
        foreach (var (_, name, at) in Walk(elf))
        {
            if (name != version) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(elf[at..], (ushort)(U16(elf, at) | WeakFlag));
            marked++;
        }
        return marked;
    }

    /// <summary>(file, version name, offset of its <c>vna_flags</c>) for every requirement.</summary>
    private static List<(string File, string Version, int FlagsOffset)> Walk(ReadOnlySpan<byte> elf)
    {
        var found = new List<(string, string, int)>();
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only little-endian ELF64 files are supported");
        var sectionTable = checked((int)U64(elf, 0x28));
        var entrySize = U16(elf, 0x3A);
        var count = U16(elf, 0x3C);
        if (entrySize < 64) throw new InvalidDataException($"ELF section header size {entrySize} is too small");
        for (var i = 0; i < count; i++)
        {
            var header = sectionTable + i * entrySize;
            if (U32(elf, header + 4) != ShtGnuVerneed) continue;
            var offset = checked((int)U64(elf, header + 0x18));
            var strings = sectionTable + checked((int)U32(elf, header + 0x28)) * entrySize;
            var stringsOffset = checked((int)U64(elf, strings + 0x18));
            var needs = U32(elf, header + 0x2C);
            var need = offset;
            for (var n = 0; n < needs; n++)
            {
                var file = CString(elf, stringsOffset + (int)U32(elf, need + 4));
                var aux = need + (int)U32(elf, need + 8);
                for (var a = 0; a < U16(elf, need + 2); a++)
                {
                    found.Add((file, CString(elf, stringsOffset + (int)U32(elf, aux + 8)), aux + 4));
                    aux += (int)U32(elf, aux + 12);
                }
                need += (int)U32(elf, need + 12);
            }
        }
        return found;
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(b, at, 2));
    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(b, at, 4));
    private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(b, at, 8));

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> b, int at, int length) =>
        at >= 0 && at <= b.Length - length ? b.Slice(at, length)
            : throw new InvalidDataException($"ELF structure at offset {at} lies outside the file ({b.Length} bytes)");

    private static string CString(ReadOnlySpan<byte> b, int at)
    {
        Slice(b, at, 1); // bounds check with the file offset in the message
        var rest = b[at..];
        var end = rest.IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException($"unterminated ELF string at offset {at}");
        return Encoding.ASCII.GetString(rest[..end]);
    }
}

using System.Runtime.InteropServices;
using Microsoft.ML.Tokenizers;

namespace PrunePipeline.Tokenizers;

/// <summary>
/// Unicode NFC, the normalizer Qwen's tokenizer.json names (ML.Tokenizers ships none). The house builds with
/// InvariantGlobalization, where <c>string.Normalize</c> silently returns its input unchanged, so this calls ICU's
/// <c>unorm2_normalize</c> directly (libicuuc, present wherever .NET runs outside invariant mode).
/// </summary>
public sealed unsafe class NfcNormalizer : Normalizer
{
    const int BufferOverflowError = 15; // U_BUFFER_OVERFLOW_ERROR

    static readonly Lazy<Icu> Library = new(Icu.Load);

    public override string Normalize(string original) => Normalize(original.AsSpan());

    public override string Normalize(ReadOnlySpan<char> original)
    {
        // Below U+0300 there are no combining marks and no characters with a canonical decomposition that composes
        // differently: such text is already NFC (and most calibration text is), so ICU is not even needed.
        if (!original.ContainsAnyInRange('\u0300', '\uffff')) return original.ToString();
        var icu = Library.Value;
        var capacity = original.Length + 16;
        while (true)
        {
            var buffer = new char[capacity];
            var error = 0;
            int length;
            fixed (char* src = original)
            fixed (char* dst = buffer)
                length = icu.Normalize(icu.Nfc, src, original.Length, dst, capacity, &error);
            if (error == BufferOverflowError)
            {
                capacity = length + 16;
                continue;
            }
            if (error > 0) throw new InvalidOperationException($"ICU unorm2_normalize failed with error code {error}");
            return new string(buffer, 0, length);
        }
    }

    sealed class Icu
    {
        public required IntPtr Nfc { get; init; }
        public required delegate* unmanaged<IntPtr, char*, int, char*, int, int*, int> Normalize { get; init; }

        public static Icu Load()
        {
            // ICU suffixes its exports with the major version (unorm2_normalize_72); probe the installed one.
            for (var major = 90; major >= 50; major--)
            {
                if (!NativeLibrary.TryLoad($"libicuuc.so.{major}", out var lib)) continue;
                var getNfc = (delegate* unmanaged<int*, IntPtr>)NativeLibrary.GetExport(lib, $"unorm2_getNFCInstance_{major}");
                var normalize = (delegate* unmanaged<IntPtr, char*, int, char*, int, int*, int>)NativeLibrary.GetExport(lib, $"unorm2_normalize_{major}");
                var error = 0;
                var nfc = getNfc(&error);
                if (error > 0 || nfc == IntPtr.Zero) throw new InvalidOperationException($"ICU {major}: unorm2_getNFCInstance failed with error code {error}");
                return new Icu { Nfc = nfc, Normalize = normalize };
            }
            throw new PlatformNotSupportedException(
                "this tokenizer.json asks for NFC normalization, which needs ICU (libicuuc.so.NN; Debian/Ubuntu package libicu*) and none was found");
        }
    }
}

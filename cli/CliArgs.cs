using System.Globalization;

namespace PrunePipeline.Cli;

/// <summary>
/// A small, strict parser for "--name value", "--name=value" and bare "--flag" options plus positional arguments.
/// Every option a verb reads is marked as used; <see cref="ThrowOnUnused"/> then rejects typos such as "--lamda0"
/// instead of silently ignoring them.
/// </summary>
public sealed class CliArgs
{
    private readonly List<(string Name, string? Value)> _options = [];
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public CliArgs(IEnumerable<string> tokens)
    {
        var list = tokens.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var t = list[i];
            if (t == "--")
            {
                Positional.AddRange(list.Skip(i + 1));
                break;
            }
            if (t.StartsWith("--", StringComparison.Ordinal) && t.Length > 2)
            {
                var eq = t.IndexOf('=');
                if (eq > 0)
                {
                    _options.Add((t[2..eq], t[(eq + 1)..]));
                }
                else if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    _options.Add((t[2..], list[i + 1]));
                    i++;
                }
                else
                {
                    _options.Add((t[2..], null));
                }
            }
            else
            {
                Positional.Add(t);
            }
        }
    }

    public List<string> Positional { get; } = [];

    public bool Has(string name)
    {
        _used.Add(name);
        return _options.Any(o => o.Name == name);
    }

    /// <summary>A flag: present without a value (or with true/false).</summary>
    public bool Flag(string name)
    {
        _used.Add(name);
        var found = _options.Where(o => o.Name == name).ToList();
        if (found.Count == 0) return false;
        var v = found[^1].Value;
        if (v is null) return true;
        return v.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw new UsageException($"--{name} is a flag; '{v}' is not true/false."),
        };
    }

    public string? Optional(string name)
    {
        _used.Add(name);
        var found = _options.Where(o => o.Name == name).ToList();
        if (found.Count == 0) return null;
        return found[^1].Value ?? throw new UsageException($"--{name} needs a value.");
    }

    public string Required(string name) =>
        Optional(name) ?? throw new UsageException($"missing required option --{name}.");

    public IReadOnlyList<string> All(string name)
    {
        _used.Add(name);
        return _options.Where(o => o.Name == name)
            .Select(o => o.Value ?? throw new UsageException($"--{name} needs a value.")).ToList();
    }

    public int Int(string name, int fallback)
    {
        var v = Optional(name);
        if (v is null) return fallback;
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var r)
            ? r
            : throw new UsageException($"--{name} must be an integer, got '{v}'.");
    }

    public double Double(string name, double fallback)
    {
        var v = Optional(name);
        if (v is null) return fallback;
        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && double.IsFinite(r)
            ? r
            : throw new UsageException($"--{name} must be a finite number, got '{v}'.");
    }

    public double? OptionalDouble(string name) => Has(name) ? Double(name, 0) : null;

    public int? OptionalInt(string name) => Has(name) ? Int(name, 0) : null;

    /// <summary>Rejects options the verb never asked about (typos, options of another verb).</summary>
    public void ThrowOnUnused()
    {
        var unknown = _options.Select(o => o.Name).Where(n => !_used.Contains(n)).Distinct().ToList();
        if (unknown.Count > 0)
            throw new UsageException($"unknown option{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown.Select(n => "--" + n))}.");
    }
}

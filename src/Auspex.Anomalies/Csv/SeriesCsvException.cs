namespace Auspex.Anomalies.Csv;

/// <summary>A CSV series could not be read: the message names the file and the 1-based line.</summary>
public sealed class SeriesCsvException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SeriesCsvException(string path, int line, string problem)
        : base(line > 0 ? $"{path}:{line}: {problem}" : $"{path}: {problem}")
    {
        Path = path;
        Line = line;
        Problem = problem;
    }

    /// <summary>Creates the exception (serialisation-free constructor required by analyzers).</summary>
    public SeriesCsvException()
        : this(string.Empty, 0, "invalid series CSV")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SeriesCsvException(string message)
        : this(string.Empty, 0, message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public SeriesCsvException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
        Problem = message;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The 1-based line (0 when the problem is the file as a whole).</summary>
    public int Line { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}

using System.Runtime.InteropServices;

namespace Auspex.Storage.DuckDb;

/// <summary>fsync of a directory, so that a file or directory created in it keeps its name after a crash (the head log, the segment files).</summary>
internal static class DirectorySync
{
    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    /// <summary>fsyncs <paramref name="dir"/> (Linux only; elsewhere a no-op).</summary>
    public static void Sync(string dir)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fd = open(dir, 0); // O_RDONLY
        if (fd >= 0)
        {
            _ = fsync(fd);
            _ = close(fd);
        }
    }
}

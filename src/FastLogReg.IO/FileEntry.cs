using System.Runtime.InteropServices;

namespace FastLogReg.IO;

/// <summary>What a path names, as far as saving a file there is concerned.</summary>
internal enum FileEntryKind
{
    /// <summary>Nothing exists at the path (a new file may be created).</summary>
    Missing,

    /// <summary>A regular file.</summary>
    RegularFile,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A character or block device (<c>/dev/null</c>, <c>/dev/full</c>, a terminal, a disk).</summary>
    Device,

    /// <summary>A named pipe.</summary>
    Fifo,

    /// <summary>A Unix socket or anything else that cannot be replaced by a file.</summary>
    Other,
}

/// <summary>
/// One file-system entry, after following symbolic links: its kind, its identity (device and inode, to tell whether two
/// paths name the same file) and its permission bits. On Linux it is read with <c>statx(2)</c>, whose layout does not
/// depend on the architecture; elsewhere from .NET's file APIs (which cannot tell devices and pipes from files).
/// </summary>
internal readonly record struct FileEntry(FileEntryKind Kind, string ResolvedPath, ulong Device, ulong Inode, UnixFileMode Mode)
{
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>Whether some write-permission bit is set (a read-only file has none).</summary>
    public bool HasWriteBit => (Mode & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;

    /// <summary>Inspects <paramref name="path"/>, following symbolic links to their final target.</summary>
    /// <exception cref="IOException">A link cannot be resolved (a loop, say); the message names <paramref name="path"/>.</exception>
    public static FileEntry Inspect(string path)
    {
        string full = Path.GetFullPath(path);
        string resolved = ResolveLinks(full, path);
        if (OperatingSystem.IsLinux() && TryStatx(resolved, out FileEntry entry))
        {
            return entry;
        }

        if (Directory.Exists(resolved))
        {
            return new FileEntry(FileEntryKind.Directory, resolved, 0, 0, 0);
        }

        if (!File.Exists(resolved))
        {
            return new FileEntry(FileEntryKind.Missing, resolved, 0, 0, 0);
        }

        UnixFileMode mode = OperatingSystem.IsWindows()
            ? ((File.GetAttributes(resolved) & FileAttributes.ReadOnly) != 0 ? UnixFileMode.UserRead : UnixFileMode.UserRead | UnixFileMode.UserWrite)
            : File.GetUnixFileMode(resolved);
        return new FileEntry(FileEntryKind.RegularFile, resolved, 0, 0, mode);
    }

    /// <summary>
    /// Whether this process may read (or write) <paramref name="path"/>, by <c>access(2)</c> on Unix — which knows the
    /// owner, the groups and root's rights; elsewhere true (the write itself then decides).
    /// </summary>
    public static bool Accessible(string path, bool write)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const int ReadOk = 4, WriteOk = 2;
        return Access(path, write ? WriteOk : ReadOk) == 0;
    }

    /// <summary>Whether two paths name the same file: the same device and inode when both exist, else the same resolved path.</summary>
    public static bool SameFile(string a, string b)
    {
        FileEntry x = Inspect(a), y = Inspect(b);
        if (x.Kind != FileEntryKind.Missing && y.Kind != FileEntryKind.Missing && x.Inode != 0 && y.Inode != 0)
        {
            return x.Device == y.Device && x.Inode == y.Inode;
        }

        StringComparison comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return string.Equals(x.ResolvedPath, y.ResolvedPath, comparison);
    }

    /// <summary>The final target of a chain of symbolic links (the path itself when it is not a link).</summary>
    private static string ResolveLinks(string full, string shown)
    {
        var info = new FileInfo(full);
        if (info.LinkTarget is null)
        {
            return full;
        }

        try
        {
            FileSystemInfo? target = info.ResolveLinkTarget(returnFinalTarget: true);
            return target is null ? full : Path.GetFullPath(target.FullName);
        }
        catch (IOException e)
        {
            throw new IOException($"cannot follow the symbolic link '{shown}': {e.Message}", e);
        }
    }

    private static unsafe bool TryStatx(string path, out FileEntry entry)
    {
        byte* buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, 0, StatxBasicStats, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            entry = new FileEntry(FileEntryKind.Missing, path, 0, 0, 0);
            return errno == 2; // ENOENT: nothing there; anything else (EACCES, ENOTDIR, …) is left to .NET's own error
        }

        // struct statx: stx_mode (u16) at 28, stx_ino (u64) at 32, stx_dev_major/minor (u32) at 136/140.
        ushort mode = *(ushort*)(buffer + 28);
        ulong inode = *(ulong*)(buffer + 32);
        ulong device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        FileEntryKind kind = (mode & 0xF000) switch
        {
            0x8000 => FileEntryKind.RegularFile,
            0x4000 => FileEntryKind.Directory,
            0x2000 or 0x6000 => FileEntryKind.Device,
            0x1000 => FileEntryKind.Fifo,
            _ => FileEntryKind.Other,
        };
        entry = new FileEntry(kind, path, device, inode, (UnixFileMode)(mode & 0xFFF));
        return true;
    }

    [DllImport("libc", EntryPoint = "access", SetLastError = true)]
    private static extern int Access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern unsafe int Statx(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);
}

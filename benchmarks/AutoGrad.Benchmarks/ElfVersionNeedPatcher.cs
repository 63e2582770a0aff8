using System.Buffers.Binary;
using System.Text;

namespace AutoGrad.Benchmarks;

/// <summary>
/// Makes TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> loadable on Debian 12.
///
/// The problem: that library was linked against a newer libstdc++ and declares a version need for
/// <c>GLIBCXX_3.4.32</c>; Debian 12's libstdc++ stops at <c>GLIBCXX_3.4.30</c>. The dynamic loader then refuses
/// the whole library, and TorchSharp reports the misleading "This application or script uses TorchSharp but
/// doesn't contain a reference to libtorch..." error.
///
/// Why a weak version need is safe here: the only symbol bound to that version is
/// <c>std::ios_base_library_init()</c> (<c>_ZSt21ios_base_library_initv</c>), an undefined symbol that GCC 13+
/// emits so that linking pulls in iostream initialisation; no relocation references it, so the loader never
/// resolves it. glibc's loader treats a missing version whose Vernaux entry carries <c>VER_FLG_WEAK</c> (0x2) as
/// a non-fatal condition (it only mentions it under LD_DEBUG/verbose). So we set that flag on exactly that entry.
///
/// What this does and does not touch: it patches only the copy of the library in the benchmark's build output
/// (never the NuGet cache), it changes exactly one 16-bit field, it is idempotent, and it verifies every ELF
/// structure it reads - ELF64 little-endian x86-64, the section table, the .gnu.version_r chain, the .dynsym /
/// .gnu.version pair, and that no REL/RELA relocation references a symbol of that version - and refuses to write
/// anything when any check fails. The patched bytes are written to a temporary file and renamed over the original,
/// so a hard link into the package cache (or a process that has the old file mapped) is never modified.
/// </summary>
public static class ElfVersionNeedPatcher
{
    public const string LibraryFileName = "libLibTorchSharp.so";
    public const string NeededFile = "libstdc++.so.6";
    public const string NeededVersion = "GLIBCXX_3.4.32";

    /// <summary>The symbols we accept behind the version need (mangled names).</summary>
    public static readonly string[] AllowedSymbols = ["_ZSt21ios_base_library_initv"];

    private const ushort VerFlgWeak = 0x2;          // VER_FLG_WEAK (elf.h)
    private const uint ShtRela = 4, ShtRel = 9, ShtDynsym = 11;
    private const uint ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;
    private const ushort EmX86_64 = 62;

    public enum Outcome { Patched, AlreadyPatched, NotNeeded }

    /// <summary>Patches <see cref="LibraryFileName"/> next to the running app (the build output). Call before
    /// anything touches TorchSharp's native code. Throws <see cref="InvalidDataException"/> if the file is not
    /// what we expect.</summary>
    public static Outcome PatchBuildOutput(TextWriter? log = null)
    {
        var path = Path.Combine(AppContext.BaseDirectory, LibraryFileName);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"{LibraryFileName} is not in the build output ({AppContext.BaseDirectory}); was the project built " +
                "with RuntimeIdentifier linux-x64?", path);
        var outcome = PatchFile(path);
        log?.WriteLine($"[elf] {path}: {NeededFile} {NeededVersion} -> {outcome}");
        return outcome;
    }

    public static Outcome PatchFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var outcome = Patch(bytes);
        if (outcome != Outcome.Patched) return outcome;

        var tmp = path + ".patching-" + Environment.ProcessId;
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true); // new inode: never writes through a hard link
        return outcome;
    }

    /// <summary>Verifies the ELF image and sets VER_FLG_WEAK in memory. Returns what it did.</summary>
    public static Outcome Patch(byte[] elf)
    {
        var f = new Reader(elf);

        // --- ELF header: ELF64, little-endian, current version, shared object, x86-64.
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F')
            throw Bad("not an ELF file");
        if (elf[4] != 2) throw Bad("not ELFCLASS64");
        if (elf[5] != 1) throw Bad("not little-endian");
        if (elf[6] != 1) throw Bad("unknown ELF version");
        if (f.U16(16) != 3) throw Bad("not a shared object (ET_DYN)");
        if (f.U16(18) != EmX86_64) throw Bad("not x86-64");
        ulong shoff = f.U64(40);
        int shentsize = f.U16(58), shnum = f.U16(60);
        if (shentsize != 64 || shnum == 0) throw Bad("unexpected section header table");
        if (shoff + (ulong)shnum * 64 > (ulong)elf.Length) throw Bad("section header table out of bounds");

        var sections = new Section[shnum];
        for (int i = 0; i < shnum; i++)
        {
            int o = checked((int)shoff + i * 64);
            sections[i] = new Section(i, f.U32(o + 4), f.U64(o + 24), f.U64(o + 32), f.U32(o + 40), f.U32(o + 44),
                f.U64(o + 56));
            if (sections[i].Type != 8 /* SHT_NOBITS */ && sections[i].Offset + sections[i].Size > (ulong)elf.Length)
                throw Bad($"section {i} out of bounds");
        }

        // --- .gnu.version_r (SHT_GNU_verneed): exactly one; its sh_link is the string table of the names.
        var verneed = Single(sections, ShtGnuVerneed, ".gnu.version_r");
        var strtab = Linked(sections, verneed, ".gnu.version_r");
        int? auxOffset = null;
        ushort versionIndex = 0;
        int vn = (int)verneed.Offset;
        for (uint n = 0; n < verneed.Info; n++) // sh_info = number of Verneed entries
        {
            Check(vn + 16 <= (int)(verneed.Offset + verneed.Size), "Verneed entry out of section");
            if (f.U16(vn) != 1) throw Bad("unknown vn_version");
            int cnt = f.U16(vn + 2);
            string file = f.Str(strtab, f.U32(vn + 4));
            int aux = vn + (int)f.U32(vn + 8);
            for (int a = 0; a < cnt; a++)
            {
                Check(aux + 16 <= (int)(verneed.Offset + verneed.Size), "Vernaux entry out of section");
                string name = f.Str(strtab, f.U32(aux + 8));
                if (file == NeededFile && name == NeededVersion)
                {
                    if (f.U32(aux) != ElfHash(name)) throw Bad("vna_hash does not match the version name");
                    if (auxOffset is not null) throw Bad("version need listed twice");
                    auxOffset = aux;
                    versionIndex = (ushort)(f.U16(aux + 6) & 0x7fff); // vna_other
                }
                uint next = f.U32(aux + 12);
                if (next == 0) { Check(a == cnt - 1, "Vernaux chain shorter than vn_cnt"); break; }
                aux += (int)next;
            }
            uint vnNext = f.U32(vn + 12);
            if (vnNext == 0) { Check(n == verneed.Info - 1, "Verneed chain shorter than sh_info"); break; }
            vn += (int)vnNext;
        }
        if (auxOffset is null) return Outcome.NotNeeded; // a TorchSharp build without the need: nothing to do
        if (versionIndex < 2) throw Bad("unexpected version index");

        // --- Which symbols carry that version: .gnu.version (one u16 per .dynsym entry) -> .dynsym -> .dynstr.
        var versym = Single(sections, ShtGnuVersym, ".gnu.version");
        var dynsym = Linked(sections, versym, ".gnu.version");
        if (dynsym.Type != ShtDynsym || dynsym.EntSize != 24) throw Bad(".gnu.version is not linked to .dynsym");
        var dynstr = Linked(sections, dynsym, ".dynsym");
        ulong symCount = dynsym.Size / 24;
        if (versym.Size != symCount * 2) throw Bad(".gnu.version and .dynsym sizes disagree");
        var versioned = new HashSet<ulong>();
        for (ulong s = 0; s < symCount; s++)
        {
            if ((f.U16((int)(versym.Offset + s * 2)) & 0x7fff) != versionIndex) continue;
            int so = (int)(dynsym.Offset + s * 24);
            string name = f.Str(dynstr, f.U32(so));
            if (Array.IndexOf(AllowedSymbols, name) < 0)
                throw Bad($"symbol {name} also needs {NeededVersion}; a weak version need would not be safe");
            if (f.U16(so + 6) != 0) throw Bad($"{name} is defined here, expected an undefined reference");
            versioned.Add(s);
        }

        // --- No relocation may reference those symbols (otherwise the loader would have to resolve them).
        foreach (var rs in sections)
        {
            if ((rs.Type != ShtRela && rs.Type != ShtRel) || rs.Link != dynsym.Index) continue;
            ulong ent = rs.Type == ShtRela ? 24UL : 16UL;
            if (rs.EntSize != ent) throw Bad($"unexpected relocation entry size in section {rs.Index}");
            for (ulong r = 0; r < rs.Size / ent; r++)
            {
                ulong sym = f.U64((int)(rs.Offset + r * ent + 8)) >> 32; // ELF64_R_SYM(r_info)
                if (versioned.Contains(sym))
                    throw Bad($"relocation {r} in section {rs.Index} references a {NeededVersion} symbol");
            }
        }

        // --- The patch: vna_flags |= VER_FLG_WEAK.
        int flagsAt = auxOffset.Value + 4;
        ushort flags = f.U16(flagsAt);
        if ((flags & VerFlgWeak) != 0) return Outcome.AlreadyPatched;
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(flagsAt), (ushort)(flags | VerFlgWeak));
        return Outcome.Patched;
    }

    private readonly record struct Section(int Index, uint Type, ulong Offset, ulong Size, uint Link, uint Info,
        ulong EntSize);

    private static Section Single(Section[] all, uint type, string what)
    {
        var found = all.Where(s => s.Type == type).ToArray();
        if (found.Length != 1) throw Bad($"expected exactly one {what} section, found {found.Length}");
        return found[0];
    }

    private static Section Linked(Section[] all, Section s, string what)
    {
        if (s.Link == 0 || s.Link >= all.Length) throw Bad($"{what} has no valid sh_link");
        return all[s.Link];
    }

    /// <summary>The SysV ELF hash, which vna_hash must hold for the version name.</summary>
    private static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (byte c in Encoding.ASCII.GetBytes(name))
        {
            h = (h << 4) + c;
            uint g = h & 0xf0000000;
            if (g != 0) h ^= g >> 24;
            h &= ~g;
        }
        return h;
    }

    private static void Check(bool ok, string message) { if (!ok) throw Bad(message); }

    private static InvalidDataException Bad(string message) =>
        new($"{LibraryFileName}: refusing to patch, {message}.");

    private readonly struct Reader(byte[] b)
    {
        public ushort U16(int o) => BinaryPrimitives.ReadUInt16LittleEndian(Span(o, 2));
        public uint U32(int o) => BinaryPrimitives.ReadUInt32LittleEndian(Span(o, 4));
        public ulong U64(int o) => BinaryPrimitives.ReadUInt64LittleEndian(Span(o, 8));

        public string Str(Section strtab, uint offset)
        {
            if (offset >= strtab.Size) throw Bad("string offset out of its table");
            int start = checked((int)(strtab.Offset + offset));
            int end = Array.IndexOf(b, (byte)0, start, (int)(strtab.Size - offset));
            if (end < 0) throw Bad("unterminated string");
            return Encoding.ASCII.GetString(b, start, end - start);
        }

        private ReadOnlySpan<byte> Span(int o, int n)
        {
            if (o < 0 || o + n > b.Length) throw Bad("read past the end of the file");
            return b.AsSpan(o, n);
        }
    }
}

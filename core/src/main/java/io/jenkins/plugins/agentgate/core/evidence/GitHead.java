package io.jenkins.plugins.agentgate.core.evidence;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads what HEAD names from the files of a files-backend repository, without starting git: HEAD
 * (detached id or {@code ref: }), loose refs, then {@code packed-refs}. Anything it does not fully
 * understand — a symlinked HEAD or ref, the reftable backend, per-worktree or pseudo refs, a malformed
 * file, a chain of symbolic refs longer than git allows — is {@link Head#unknown()}, and the caller asks
 * git. The id read is not checked to name a commit; callers that need that ask git when it differs from
 * an id git already vouched for.
 */
final class GitHead {
    /** git's own limit on symbolic-ref chains (refs/files-backend: SYMREF_MAXDEPTH). */
    private static final int MAX_DEPTH = 5;
    private static final long MAX_REF_FILE = 4096;

    /** What HEAD points at: an object id, an unborn branch, or unknown (ask git). */
    record Head(Kind kind, String oid) {
        enum Kind { ID, UNBORN, UNKNOWN }

        static Head unknown() {
            return new Head(Kind.UNKNOWN, null);
        }
    }

    private GitHead() {}

    /**
     * @param gitDir    the work tree's git directory (holds HEAD and per-worktree refs)
     * @param commonDir the repository's common directory (holds refs/heads and packed-refs)
     * @param hexLength 40 for SHA-1 repositories, 64 for SHA-256
     */
    static Head read(Path gitDir, Path commonDir, int hexLength) {
        try {
            if (Files.exists(commonDir.resolve("reftable"), LinkOption.NOFOLLOW_LINKS)) {
                return Head.unknown(); // reftable backend: refs are not files
            }
            String content = readSmall(gitDir.resolve("HEAD"));
            if (content == null) {
                return Head.unknown();
            }
            for (int depth = 0; depth <= MAX_DEPTH; depth++) {
                String line = oneLine(content);
                if (line == null) {
                    return Head.unknown();
                }
                if (isHex(line, hexLength)) {
                    return new Head(Head.Kind.ID, line);
                }
                if (!line.startsWith("ref: ")) {
                    return Head.unknown();
                }
                String ref = line.substring(5).strip();
                if (!isSharedRef(ref)) {
                    return Head.unknown();
                }
                Path loose = commonDir.resolve(ref);
                content = readSmall(loose);
                if (content == null) {
                    if (Files.exists(loose, LinkOption.NOFOLLOW_LINKS)) {
                        return Head.unknown(); // a directory, a symlink or an oversized file: not a plain ref
                    }
                    return packed(commonDir.resolve("packed-refs"), ref, hexLength);
                }
            }
            return Head.unknown();
        } catch (IOException | RuntimeException e) {
            return Head.unknown();
        }
    }

    /** Looks {@code ref} up in packed-refs: "oid SP refname" lines, '#' header, '^' peeled lines. */
    private static Head packed(Path packedRefs, String ref, int hexLength) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(packedRefs, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return new Head(Head.Kind.UNBORN, null);
        }
        if (!a.isRegularFile()) {
            return Head.unknown();
        }
        try (InputStream in = Files.newInputStream(packedRefs, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#") || line.startsWith("^")) {
                    continue;
                }
                int sp = line.indexOf(' ');
                if (sp != hexLength || !isHex(line.substring(0, sp), hexLength)) {
                    return Head.unknown();
                }
                if (line.substring(sp + 1).equals(ref)) {
                    return new Head(Head.Kind.ID, line.substring(0, sp));
                }
            }
        }
        return new Head(Head.Kind.UNBORN, null);
    }

    /** Refs stored in the common directory by the files backend; per-worktree and pseudo refs are not. */
    static boolean isSharedRef(String ref) {
        if (!ref.startsWith("refs/") || ref.startsWith("refs/worktree/") || ref.startsWith("refs/bisect/")
                || ref.startsWith("refs/rewritten/") || ref.endsWith("/") || ref.endsWith(".lock")
                || ref.contains("..") || ref.contains("//") || ref.contains("\\")) {
            return false;
        }
        for (String part : ref.split("/")) {
            if (part.isEmpty() || part.startsWith(".")) {
                return false;
            }
        }
        for (int i = 0; i < ref.length(); i++) {
            char c = ref.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' || c == '[') {
                return false;
            }
        }
        return true;
    }

    /** The file's text when it is a regular file (not a symlink) of at most 4 KiB, else null. */
    private static String readSmall(Path p) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!a.isRegularFile() || a.size() > MAX_REF_FILE) {
            return null;
        }
        try (InputStream in = Files.newInputStream(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return new String(in.readNBytes((int) MAX_REF_FILE + 1), StandardCharsets.UTF_8);
        }
    }

    /** The content without its single trailing newline, or null when it holds more than one line. */
    private static String oneLine(String content) {
        String s = content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 ? null : s;
    }

    static boolean isHex(String s, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}

package io.jenkins.plugins.agentgate.core.evidence;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pre-run tree as {@code git ls-tree -r -t -z} lists it (every blob, link, gitlink and subtree with
 * its mode and id), kept as git's bytes. After the run, the post-run tree is this tree with the changed
 * paths replaced: only the trees on the way from a changed path to the root are rewritten, as
 * {@code write-tree} would, and every other subtree keeps its id.
 *
 * <p>Paths are held as ISO-8859-1 strings: one char per byte, so any byte sequence git wrote (not only
 * UTF-8) survives unchanged, and {@link String#compareTo} orders them as git compares bytes.
 */
final class TreeListing {
    /** A tree entry: mode as git writes it in a tree ({@code 100644}, {@code 40000}, ...) and object id. */
    record Entry(String mode, String oid) {
        boolean isTree() {
            return "40000".equals(mode);
        }
    }

    /** Directory ("" for the top) to its entries by name. */
    private final Map<String, Map<String, Entry>> dirs;
    private final boolean hasAttributes;
    private final boolean hasGitlinks;

    private TreeListing(Map<String, Map<String, Entry>> dirs, boolean hasAttributes, boolean hasGitlinks) {
        this.dirs = dirs;
        this.hasAttributes = hasAttributes;
        this.hasGitlinks = hasGitlinks;
    }

    /** Parses {@code ls-tree -r -t -z} output ("mode SP type SP oid TAB path NUL" records), once, before the run. */
    static TreeListing of(byte[] b) {
        boolean attributes = false;
        boolean gitlinks = false;
        Map<String, Map<String, Entry>> dirs = new HashMap<>();
        dirs.put("", new HashMap<>());
        int i = 0;
        while (i < b.length) {
            int end = indexOf(b, (byte) 0, i);
            int tab = indexOf(b, (byte) '\t', i);
            int sp1 = indexOf(b, (byte) ' ', i);
            int sp2 = sp1 < 0 ? -1 : indexOf(b, (byte) ' ', sp1 + 1);
            if (end < 0 || tab < 0 || tab > end || sp2 < 0 || sp2 > tab) {
                throw new IllegalArgumentException("ls-tree record at byte " + i + " is not 'mode type id TAB path NUL'");
            }
            // ls-tree prints six octal digits; a tree stores the mode without leading zeros.
            String mode = latin1(b, b[i] == '0' ? i + 1 : i, sp1);
            String path = latin1(b, tab + 1, end);
            int slash = path.lastIndexOf('/');
            String name = path.substring(slash + 1);
            Entry e = new Entry(mode, latin1(b, sp2 + 1, tab));
            dirs.computeIfAbsent(slash < 0 ? "" : path.substring(0, slash), k -> new HashMap<>()).put(name, e);
            if (e.isTree()) {
                dirs.computeIfAbsent(path, k -> new HashMap<>());
            }
            attributes |= name.equals(".gitattributes");
            gitlinks |= "160000".equals(mode);
            i = end + 1;
        }
        return new TreeListing(dirs, attributes, gitlinks);
    }

    /** The pre-run tree holds a {@code .gitattributes} file: blob content may depend on its filters. */
    boolean hasAttributes() {
        return hasAttributes;
    }

    /** Every directory of the pre-run tree ("" for the top). */
    Set<String> directories() {
        return dirs.keySet();
    }

    /** The pre-run entry {@code name} in directory {@code dir}, or null. */
    Entry entry(String dir, String name) {
        Map<String, Entry> t = dirs.get(dir);
        return t == null ? null : t.get(name);
    }

    /** Subtrees and gitlinks directly in {@code dir}: the subdirectories git knows of there. */
    int subdirectories(String dir) {
        int n = 0;
        for (Entry e : dirs.getOrDefault(dir, Map.of()).values()) {
            if (e.isTree() || "160000".equals(e.mode())) {
                n++;
            }
        }
        return n;
    }

    boolean hasGitlinks() {
        return hasGitlinks;
    }

    /** The pre-run entries of {@code paths} (absent when the path was not in the tree). */
    Map<String, Entry> entriesOf(Set<String> paths) {
        Map<String, Entry> found = new HashMap<>();
        for (String path : paths) {
            int slash = path.lastIndexOf('/');
            Map<String, Entry> t = dirs.get(slash < 0 ? "" : path.substring(0, slash));
            Entry e = t == null ? null : t.get(path.substring(slash + 1));
            if (e != null) {
                found.put(path, e);
            }
        }
        return found;
    }

    /**
     * Writes the trees of the post-run state and returns the root tree id.
     *
     * @param changes every changed path with its post-run entry, or null when it is gone
     */
    String apply(Map<String, Entry> changes, CapturePack store) throws IOException {
        Set<String> affected = new HashSet<>();
        affected.add("");
        for (String path : changes.keySet()) {
            for (int s = path.indexOf('/'); s >= 0; s = path.indexOf('/', s + 1)) {
                affected.add(path.substring(0, s));
            }
        }
        Map<String, Map<String, Entry>> tables = new HashMap<>();
        for (String dir : affected) {
            Map<String, Entry> was = dirs.get(dir);
            tables.put(dir, was == null ? new HashMap<>() : new HashMap<>(was));
        }
        for (Map.Entry<String, Entry> c : changes.entrySet()) {
            String path = c.getKey();
            int slash = path.lastIndexOf('/');
            Map<String, Entry> t = tables.get(slash < 0 ? "" : path.substring(0, slash));
            String name = path.substring(slash + 1);
            if (c.getValue() != null) {
                t.put(name, c.getValue());
            } else if (t.get(name) != null && !t.get(name).isTree()) {
                t.remove(name);
            }
        }
        List<String> dirs = new ArrayList<>(affected);
        dirs.sort(Comparator.comparingInt(TreeListing::depth).reversed());
        String root = null;
        for (String dir : dirs) {
            Map<String, Entry> t = tables.get(dir);
            String id = t.isEmpty() && !dir.isEmpty() ? null : store.add("tree", serialize(t));
            if (dir.isEmpty()) {
                root = id;
                break;
            }
            int slash = dir.lastIndexOf('/');
            Map<String, Entry> parent = tables.get(slash < 0 ? "" : dir.substring(0, slash));
            String name = dir.substring(slash + 1);
            Entry there = parent.get(name);
            if (id != null) {
                parent.put(name, new Entry("40000", id));
            } else if (there != null && there.isTree()) {
                parent.remove(name); // git has no empty trees: a directory that lost its last file is gone
            }
        }
        return root;
    }

    /** A tree object's body: entries in git's order (a subtree sorts as if its name ended in '/'). */
    static byte[] serialize(Map<String, Entry> table) {
        List<Map.Entry<String, Entry>> entries = new ArrayList<>(table.entrySet());
        entries.sort((a, b) -> compareNames(a.getKey(), a.getValue().isTree(), b.getKey(), b.getValue().isTree()));
        ByteArrayOutputStream out = new ByteArrayOutputStream(entries.size() * 48);
        for (Map.Entry<String, Entry> e : entries) {
            out.writeBytes(e.getValue().mode().getBytes(StandardCharsets.US_ASCII));
            out.write(' ');
            out.writeBytes(e.getKey().getBytes(StandardCharsets.ISO_8859_1));
            out.write(0);
            out.writeBytes(HexFormat.of().parseHex(e.getValue().oid()));
        }
        return out.toByteArray();
    }

    /** git's base_name_compare: bytes, with a tree's name compared as if it ended in '/'. */
    static int compareNames(String a, boolean aTree, String b, boolean bTree) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            int d = a.charAt(i) - b.charAt(i);
            if (d != 0) {
                return d;
            }
        }
        int ca = a.length() > n ? a.charAt(n) : aTree ? '/' : 0;
        int cb = b.length() > n ? b.charAt(n) : bTree ? '/' : 0;
        return ca - cb;
    }

    private static int depth(String dir) {
        if (dir.isEmpty()) {
            return 0;
        }
        int n = 1;
        for (int i = 0; i < dir.length(); i++) {
            if (dir.charAt(i) == '/') {
                n++;
            }
        }
        return n;
    }

    static String latin1(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(byte[] b, byte c, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}

package io.jenkins.plugins.agentgate.core.profile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads one YAML mapping field by field, recording a {@link ConfigProblem} (with line) for every wrong,
 * missing or unknown key instead of stopping at the first. Readers return a fallback on error so that
 * validation can go on and report everything at once.
 */
final class YamlMap {
    private final String file;
    private final String path;
    private final Node node;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final List<ConfigProblem> problems;

    private YamlMap(String file, String path, Node node, List<ConfigProblem> problems) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.problems = problems;
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : String.valueOf(t.getKeyNode());
                if (entries.put(key, t) != null) {
                    problems.add(new ConfigProblem(file, line(t.getKeyNode()), child(key), key, "each key only once"));
                }
            }
        }
    }

    /** Wraps a node that should be a mapping; reports it when it is not. Returns null in that case. */
    static YamlMap of(String file, String path, Node node, List<ConfigProblem> problems) {
        if (!(node instanceof MappingNode)) {
            problems.add(new ConfigProblem(file, line(node), path, describe(node), "a mapping of keys to values"));
            return null;
        }
        return new YamlMap(file, path, node, problems);
    }

    static int line(Node n) {
        return n == null || n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    static String describe(Node n) {
        if (n instanceof ScalarNode s) {
            return s.getValue();
        }
        if (n instanceof SequenceNode) {
            return "a list";
        }
        if (n instanceof MappingNode) {
            return "a mapping";
        }
        return "nothing";
    }

    String file() {
        return file;
    }

    List<ConfigProblem> problems() {
        return problems;
    }

    String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    int line() {
        return line(node);
    }

    /** The keys, in document order. */
    Set<String> keys() {
        return java.util.Collections.unmodifiableSet(entries.keySet());
    }

    /** Line of a key (for problems about the key itself). */
    int keyLine(String key) {
        NodeTuple t = entries.get(key);
        return t == null ? line() : line(t.getKeyNode());
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    Node value(String key) {
        NodeTuple t = entries.get(key);
        return t == null ? null : t.getValueNode();
    }

    /** Reports every key not in {@code known}: an unknown key is an error, never silently ignored. */
    void rejectUnknown(Set<String> known) {
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            if (!known.contains(e.getKey())) {
                problems.add(new ConfigProblem(file, line(e.getValue().getKeyNode()), child(e.getKey()), e.getKey(),
                        "a known key: " + String.join(", ", known.stream().sorted().toList())));
            }
        }
    }

    void problem(String key, Node at, String value, String expected) {
        problems.add(new ConfigProblem(file, at == null ? line() : line(at), child(key), value, expected));
    }

    YamlMap map(String key) {
        Node v = value(key);
        return v == null ? null : of(file, child(key), v, problems);
    }

    String string(String key, String fallback) {
        Node v = value(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof ScalarNode s) {
            return s.getValue();
        }
        problem(key, v, describe(v), "a single value");
        return fallback;
    }

    String requiredString(String key, String expected) {
        Node v = value(key);
        if (v == null) {
            problem(key, null, null, expected);
            return null;
        }
        String s = string(key, null);
        if (s != null && s.isBlank()) {
            problem(key, v, s, expected);
            return null;
        }
        return s;
    }

    boolean bool(String key, boolean fallback) {
        String s = string(key, null);
        if (s == null) {
            return fallback;
        }
        switch (s.toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                problem(key, value(key), s, "true or false");
                return fallback;
        }
    }

    /** Reads a scalar through a converter whose IllegalArgumentException means "bad value". */
    <T> T scalar(String key, T fallback, String expected, Function<String, T> convert) {
        String s = string(key, null);
        if (s == null) {
            return fallback;
        }
        try {
            return convert.apply(s.trim());
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            problem(key, value(key), s, expected);
            return fallback;
        }
    }

    /** A list of scalars, each checked by {@code check} (null check accepts any). */
    List<String> strings(String key, List<String> fallback, String expected, Function<String, String> check) {
        Node v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof SequenceNode seq)) {
            problem(key, v, describe(v), "a list");
            return fallback;
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        for (Node item : seq.getValue()) {
            String itemPath = child(key) + "[" + i++ + "]";
            if (!(item instanceof ScalarNode s)) {
                problems.add(new ConfigProblem(file, line(item), itemPath, describe(item), expected));
                continue;
            }
            String value = s.getValue().trim();
            if (check != null) {
                try {
                    value = check.apply(value);
                } catch (IllegalArgumentException | java.time.DateTimeException e) {
                    problems.add(new ConfigProblem(file, line(item), itemPath, s.getValue(), expected));
                    continue;
                }
            }
            out.add(value);
        }
        return out;
    }

    /** A list of mappings, each handed to {@code each} with its own path. */
    <T> List<T> maps(String key, Function<YamlMap, T> each) {
        Node v = value(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof SequenceNode seq)) {
            problem(key, v, describe(v), "a list of mappings");
            return List.of();
        }
        List<T> out = new ArrayList<>();
        int i = 0;
        for (Node item : seq.getValue()) {
            YamlMap m = of(file, child(key) + "[" + i++ + "]", item, problems);
            if (m != null) {
                T t = each.apply(m);
                if (t != null) {
                    out.add(t);
                }
            }
        }
        return out;
    }
}

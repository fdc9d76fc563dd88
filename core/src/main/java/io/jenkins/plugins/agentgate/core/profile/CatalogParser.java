package io.jenkins.plugins.agentgate.core.profile;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.execution.WorkspaceAccess;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the admins' profile catalog from YAML (format in docs/profiles.md, schema in
 * docs/schema/catalog.schema.json). Every problem is reported at once with file, line, field, value and
 * what was expected. The built-in profiles are always present; a file's profile with the same id
 * replaces the built-in one, and classes the file does not map keep the built-in mapping.
 */
public final class CatalogParser {
    public static final String API_VERSION = "agentgate/v1";

    private static final Set<String> TOP = Set.of("apiVersion", "classes", "connectors", "profiles", "templates");
    private static final Set<String> CONNECTOR = Set.of("id", "description", "command", "url", "env", "credentials",
            "callTimeout");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final String ENV_FORM = "an environment variable name: a letter or '_', then letters, digits or '_'";
    private static final String URL_FORM = "an http or https URL of a Streamable-HTTP MCP endpoint such as http://127.0.0.1:8931/mcp";
    private static final Set<String> PROFILE = Set.of("id", "version", "description", "image", "network", "filesystem",
            "tools", "credentials", "limits", "approval", "rollback", "evidence");
    private static final int MAX_BYTES = 1 << 20;

    private CatalogParser() {}

    public static ProfileCatalog load(Path file) throws CatalogException, IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new CatalogException(List.of(new ConfigProblem(file.toString(), 0, "(file)", Files.size(file) + " bytes",
                    "a catalog of at most " + MAX_BYTES + " bytes")));
        }
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    public static ProfileCatalog parse(String fileName, String yaml) throws CatalogException {
        List<ConfigProblem> problems = new ArrayList<>();
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(true); // reported by YamlMap with a line, instead of failing the parse
            options.setMaxAliasesForCollections(20);
            options.setCodePointLimit(MAX_BYTES);
            root = new Yaml(new SafeConstructor(options), new org.yaml.snakeyaml.representer.Representer(new org.yaml.snakeyaml.DumperOptions()),
                    new org.yaml.snakeyaml.DumperOptions(), options).compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new CatalogException(List.of(new ConfigProblem(fileName, line, "(syntax)", String.valueOf(e.getProblem()),
                    "well-formed YAML")));
        } catch (YAMLException e) {
            throw new CatalogException(List.of(new ConfigProblem(fileName, 0, "(syntax)", e.getMessage(), "well-formed YAML")));
        }
        if (root == null) {
            throw new CatalogException(List.of(new ConfigProblem(fileName, 1, "(file)", "", "a catalog with at least one of: "
                    + String.join(", ", TOP.stream().sorted().toList()))));
        }
        YamlMap top = YamlMap.of(fileName, "", root, problems);
        if (top == null) {
            throw new CatalogException(problems);
        }
        top.rejectUnknown(TOP);
        String api = top.string("apiVersion", API_VERSION);
        if (!API_VERSION.equals(api)) {
            top.problem("apiVersion", top.value("apiVersion"), api, API_VERSION);
        }

        Map<String, SandboxProfile> profiles = new LinkedHashMap<>();
        for (SandboxProfile p : DefaultCatalog.get().profiles()) {
            profiles.put(p.id(), p);
        }
        Map<String, Connector> connectors = new LinkedHashMap<>();
        Map<String, Integer> connectorIds = new LinkedHashMap<>();
        for (Connector c : top.maps("connectors", m -> connector(m, connectorIds))) {
            connectors.put(c.id(), c);
        }
        Map<String, Integer> fileIds = new LinkedHashMap<>();
        List<SandboxProfile> parsed = top.maps("profiles", m -> profile(m, fileIds, connectors, connectorIds.keySet()));
        for (SandboxProfile p : parsed) {
            profiles.put(p.id(), p);
        }

        Map<ExecutionClass, String> classes = new EnumMap<>(ExecutionClass.class);
        classes.putAll(DefaultCatalog.get().classes());
        YamlMap cm = top.map("classes");
        if (cm != null) {
            cm.rejectUnknown(Set.of("draft", "delivery", "privileged"));
            for (ExecutionClass c : ExecutionClass.values()) {
                String id = cm.string(c.id(), null);
                if (id == null) {
                    continue;
                }
                if (!profiles.containsKey(id)) {
                    cm.problem(c.id(), cm.value(c.id()), id, "the id of a profile in this catalog or a built-in one ("
                            + String.join(", ", profiles.keySet()) + ")");
                } else {
                    classes.put(c, id);
                }
            }
        }

        Set<String> templateIds = new java.util.HashSet<>();
        List<TaskTemplate> templates = top.maps("templates", m -> template(m, templateIds));

        if (!problems.isEmpty()) {
            throw new CatalogException(problems);
        }
        return new ProfileCatalog(fileName, new ArrayList<>(profiles.values()), classes, templates);
    }

    private static SandboxProfile profile(YamlMap m, Map<String, Integer> seenIds, Map<String, Connector> connectors,
                                          Set<String> connectorIds) {
        m.rejectUnknown(PROFILE);
        String id = m.requiredString("id", "a profile id: " + Values.ID_FORM);
        if (id != null) {
            try {
                Values.id(id);
            } catch (IllegalArgumentException e) {
                m.problem("id", m.value("id"), id, Values.ID_FORM);
            }
            Integer first = seenIds.putIfAbsent(id, m.line());
            if (first != null) {
                m.problem("id", m.value("id"), id, "a profile id not already used (first defined at line " + first + ")");
            }
        }
        int version = m.scalar("version", 1, "a positive whole number", Values::positiveInt);
        String description = m.string("description", "");

        SandboxProfile base = DefaultCatalog.draft();
        ImagePolicy image = image(m.map("image"), base.image());
        NetworkPolicy network = network(m.map("network"));
        FilesystemPolicy filesystem = filesystem(m.map("filesystem"));
        ToolPolicy tools = tools(m, connectors, connectorIds);
        CredentialPolicy credentials = credentials(m.map("credentials"));
        ResourceLimits limits = limits(m.map("limits"));
        ApprovalRule approval = approval(m.map("approval"));
        RollbackExpectation rollback = m.scalar("rollback", RollbackExpectation.BEST_EFFORT, "none, best-effort or required",
                CatalogParser::rollback);
        EvidencePolicy evidence = evidence(m.map("evidence"));
        if (id == null) {
            return null;
        }
        return new SandboxProfile(id, version, description, image, network, filesystem, tools, credentials, limits,
                approval, rollback, evidence);
    }

    private static Connector connector(YamlMap m, Map<String, Integer> seen) {
        m.rejectUnknown(CONNECTOR);
        String id = m.requiredString("id", "a connector id: " + Values.ID_FORM);
        if (id != null) {
            try {
                Values.id(id);
            } catch (IllegalArgumentException e) {
                m.problem("id", m.value("id"), id, "a connector id: " + Values.ID_FORM);
                id = null;
            }
        }
        if (id != null) {
            Integer first = seen.putIfAbsent(id, m.line());
            if (first != null) {
                m.problem("id", m.value("id"), id, "a connector id not already used (first defined at line " + first + ")");
            }
        }
        String description = m.string("description", "");
        List<String> command = m.strings("command", List.of(), "a command word (not blank)", s -> {
            if (s.isBlank()) {
                throw new IllegalArgumentException(s);
            }
            return s;
        });
        String url = m.scalar("url", null, URL_FORM, CatalogParser::mcpUrl);
        boolean hasCommand = m.has("command");
        boolean hasUrl = m.has("url");
        if (hasCommand && hasUrl) {
            m.problem("url", m.value("url"), m.string("url", ""), "exactly one of command or url, not both");
        } else if (!hasCommand && !hasUrl) {
            m.problem("command", null, null, "exactly one of command (a stdio MCP server started on the host) or url ("
                    + URL_FORM + ")");
        } else if (hasCommand && command.isEmpty() && m.value("command") instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
            m.problem("command", m.value("command"), "[]", "a command with at least the program to run");
        }
        Map<String, String> env = new java.util.TreeMap<>();
        YamlMap em = m.map("env");
        if (em != null) {
            for (String k : em.keys()) {
                if (!ENV_NAME.matcher(k).matches()) {
                    em.problem(k, em.value(k), k, ENV_FORM);
                    continue;
                }
                String v = em.string(k, null);
                if (v != null) {
                    env.put(k, v);
                }
            }
        }
        Set<String> credentialVars = new java.util.HashSet<>();
        List<ConnectorCredential> credentials = m.maps("credentials", cm -> {
            cm.rejectUnknown(Set.of("id", "env"));
            String cid = cm.requiredString("id", "a credential id: " + Values.ID_FORM);
            String var = cm.requiredString("env", ENV_FORM);
            if (cid != null && !cid.matches("[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?")) {
                cm.problem("id", cm.value("id"), cid, "a credential id: " + Values.ID_FORM);
                cid = null;
            }
            if (var != null && !ENV_NAME.matcher(var).matches()) {
                cm.problem("env", cm.value("env"), var, ENV_FORM);
                var = null;
            } else if (var != null && (env.containsKey(var) || !credentialVars.add(var))) {
                cm.problem("env", cm.value("env"), var, "a variable not already set by env or another credential");
                var = null;
            }
            return cid == null || var == null ? null : new ConnectorCredential(cid, var);
        });
        if (hasUrl && !hasCommand) {
            if (em != null && !env.isEmpty()) {
                m.problem("env", m.value("env"), "a mapping", "no env for a url connector (only a command has an environment)");
            }
            if (m.has("credentials")) {
                m.problem("credentials", m.value("credentials"), "a list",
                        "no credentials for a url connector (they are passed in a command's environment)");
            }
        }
        Duration callTimeout = m.scalar("callTimeout", Connector.DEFAULT_CALL_TIMEOUT, Values.DURATION_FORM, Values::duration);
        if (id == null || hasCommand == hasUrl || hasCommand && command.isEmpty() || hasUrl && url == null) {
            return null;
        }
        return new Connector(id, description, hasCommand ? command : List.of(), hasCommand ? null : url, env, credentials,
                callTimeout);
    }

    static String mcpUrl(String s) {
        java.net.URI u;
        try {
            u = new java.net.URI(s);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(s, e);
        }
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null || u.getRawUserInfo() != null
                || u.getRawFragment() != null) {
            throw new IllegalArgumentException(s);
        }
        return s;
    }

    /** Plain names (command-line tools) and MCP tool entries (maps naming a connector, with argument constraints). */
    private static ToolPolicy tools(YamlMap m, Map<String, Connector> connectors, Set<String> connectorIds) {
        Node v = m.value("tools");
        if (v == null) {
            return new ToolPolicy(List.of());
        }
        if (!(v instanceof org.yaml.snakeyaml.nodes.SequenceNode seq)) {
            m.problem("tools", v, YamlMap.describe(v), "a list");
            return new ToolPolicy(List.of());
        }
        List<String> plain = new ArrayList<>();
        List<McpTool> mcp = new ArrayList<>();
        Map<String, Integer> names = new LinkedHashMap<>();
        int i = 0;
        for (Node item : seq.getValue()) {
            String path = m.child("tools") + "[" + i++ + "]";
            if (item instanceof org.yaml.snakeyaml.nodes.ScalarNode s) {
                String name = s.getValue().trim();
                try {
                    Values.id(name);
                } catch (IllegalArgumentException e) {
                    m.problems().add(new ConfigProblem(m.file(), YamlMap.line(item), path, s.getValue(), "a tool name: " + Values.ID_FORM));
                    continue;
                }
                if (unique(m, names, name, item, path)) {
                    plain.add(name);
                }
                continue;
            }
            YamlMap tm = YamlMap.of(m.file(), path, item, m.problems());
            if (tm == null) {
                continue;
            }
            McpTool t = mcpTool(tm, connectors, connectorIds);
            if (t != null && unique(m, names, t.name(), tm.value("name"), path + ".name")) {
                mcp.add(t);
            }
        }
        List<Connector> used = mcp.stream().map(McpTool::connector).distinct().map(connectors::get).toList();
        return new ToolPolicy(plain, mcp, used);
    }

    private static boolean unique(YamlMap m, Map<String, Integer> names, String name, Node at, String path) {
        Integer first = names.putIfAbsent(name, YamlMap.line(at));
        if (first != null) {
            m.problems().add(new ConfigProblem(m.file(), YamlMap.line(at), path, name,
                    "a tool name not already declared in this profile (first at line " + first + ")"));
            return false;
        }
        return true;
    }

    private static McpTool mcpTool(YamlMap tm, Map<String, Connector> connectors, Set<String> connectorIds) {
        tm.rejectUnknown(Set.of("name", "connector", "args"));
        String name = tm.requiredString("name", McpTool.NAME_FORM);
        if (name != null && !McpTool.NAME.matcher(name).matches()) {
            tm.problem("name", tm.value("name"), name, McpTool.NAME_FORM);
            name = null;
        }
        String known = connectorIds.isEmpty() ? "none are defined" : String.join(", ", connectorIds);
        String connector = tm.requiredString("connector", "the id of a connector under top-level connectors (" + known + ")");
        if (connector != null && !connectorIds.contains(connector)) {
            tm.problem("connector", tm.value("connector"), connector,
                    "the id of a connector under top-level connectors (" + known + ")");
            connector = null;
        }
        Map<String, ArgumentConstraint> args = new java.util.TreeMap<>();
        YamlMap am = tm.map("args");
        if (am != null) {
            for (String arg : am.keys()) {
                if (arg.isEmpty() || arg.length() > 128) {
                    am.problem(arg, am.value(arg), arg, "an argument name of 1-128 characters");
                    continue;
                }
                YamlMap cm = am.map(arg);
                if (cm == null) {
                    continue;
                }
                cm.rejectUnknown(Set.of("prefix", "values"));
                List<String> prefix = cm.strings("prefix", List.of(), ArgumentConstraint.PREFIX_FORM, p -> {
                    String n = ArgumentConstraint.normalisePath(p);
                    if (n == null || n.isEmpty()) {
                        throw new IllegalArgumentException(p);
                    }
                    return n;
                });
                List<String> values = cm.strings("values", List.of(), "a value (string, number or boolean)", null);
                if (prefix.isEmpty() && values.isEmpty()) {
                    if (cm.problems().stream().noneMatch(p -> p.field().startsWith(cm.child("")))) {
                        am.problem(arg, am.value(arg), YamlMap.describe(am.value(arg)),
                                "a constraint with a non-empty prefix list and/or values list");
                    }
                    continue;
                }
                args.put(arg, new ArgumentConstraint(prefix, values));
            }
        }
        if (name == null || connector == null || connectors.get(connector) == null) {
            return null;
        }
        return new McpTool(name, connector, args);
    }

    private static ImagePolicy image(YamlMap m, ImagePolicy fallback) {
        if (m == null) {
            return fallback;
        }
        m.rejectUnknown(Set.of("allowed", "requireDigest", "default"));
        List<String> allowed = m.strings("allowed", fallback.allowed(), ImageReference.PATTERN_FORM,
                ImageReference::requireValidPattern);
        boolean digest = m.bool("requireDigest", false);
        String def = m.scalar("default", null, ImageReference.REFERENCE_FORM, s -> {
            if (!ImageReference.isValid(s)) {
                throw new IllegalArgumentException(s);
            }
            return s;
        });
        return new ImagePolicy(allowed, digest, def);
    }

    private static NetworkPolicy network(YamlMap m) {
        if (m == null) {
            return NetworkPolicy.closed();
        }
        m.rejectUnknown(Set.of("mode", "allow", "deny"));
        NetworkMode mode = m.scalar("mode", NetworkMode.NONE, "none or allowlist", s -> NetworkMode.valueOf(s.toUpperCase(java.util.Locale.ROOT)));
        String destForm = "host[:port] such as api.example.com:443 or *.example.com (no port means 443; ':*' any port)";
        List<String> allow = m.strings("allow", List.of(), destForm, s -> Destination.parse(s).toString());
        List<String> deny = m.strings("deny", List.of(), destForm, s -> Destination.parse(s).toString());
        if (mode == NetworkMode.NONE && !allow.isEmpty()) {
            m.problem("allow", m.value("allow"), String.join(", ", allow), "no allow list while mode is none (set mode: allowlist)");
        }
        if (mode == NetworkMode.ALLOWLIST && allow.isEmpty() && !m.has("allow")) {
            m.problem("allow", null, null, "at least one destination when mode is allowlist");
        }
        return new NetworkPolicy(mode, allow, deny);
    }

    private static FilesystemPolicy filesystem(YamlMap m) {
        FilesystemPolicy def = DefaultCatalog.defaultFilesystem();
        if (m == null) {
            return def;
        }
        m.rejectUnknown(Set.of("workspace", "protectedPaths", "extraMounts"));
        WorkspaceAccess ws = m.scalar("workspace", def.workspace(), "read-only or read-write", WorkspaceAccess::parse);
        List<String> prot = m.strings("protectedPaths", def.protectedPaths(),
                "a relative path inside the workspace, without '..'", CatalogParser::relativePath);
        List<String> mounts = m.strings("extraMounts", List.of(), "an absolute, normalized host path other than /",
                CatalogParser::absolutePath);
        return new FilesystemPolicy(ws, prot, mounts);
    }

    static String relativePath(String s) {
        Path p = Paths.get(s);
        if (s.isBlank() || p.isAbsolute() || !p.normalize().toString().equals(s.replaceAll("/+$", "")) || s.startsWith("..")
                || s.contains("/../") || s.equals(".")) {
            throw new IllegalArgumentException(s);
        }
        return p.normalize().toString();
    }

    static String absolutePath(String s) {
        Path p = Paths.get(s);
        if (!p.isAbsolute() || !p.normalize().toString().equals(s) || s.equals("/") || s.contains(",") || s.contains(":")) {
            throw new IllegalArgumentException(s);
        }
        return s;
    }

    private static CredentialPolicy credentials(YamlMap m) {
        CredentialPolicy def = DefaultCatalog.noCredentials();
        if (m == null) {
            return def;
        }
        m.rejectUnknown(Set.of("allowed", "maxTtl", "injection", "requireFileWhenOutlasting"));
        List<String> allowed = m.strings("allowed", List.of(), "a credential id: " + Values.ID_FORM, Values::id);
        Duration ttl = m.scalar("maxTtl", def.maxTtl(), Values.DURATION_FORM, Values::duration);
        List<InjectionMode> modes = m.strings("injection", List.of("env", "file"), "env or file", s -> InjectionMode.parse(s).id())
                .stream().map(InjectionMode::parse).toList();
        if (m.has("injection") && modes.isEmpty()) {
            m.problem("injection", m.value("injection"), "[]", "at least one of env, file");
        }
        boolean fileBeyond = m.bool("requireFileWhenOutlasting", false);
        return new CredentialPolicy(allowed, ttl, modes, fileBeyond);
    }

    private static ResourceLimits limits(YamlMap m) {
        ResourceLimits def = DefaultCatalog.defaultLimits();
        if (m == null) {
            return def;
        }
        m.rejectUnknown(Set.of("cpus", "memory", "pids", "timeout", "maxOutput"));
        double cpus = m.scalar("cpus", def.cpus(), "a positive number of CPUs such as 0.5 or 2", Values::positiveDecimal);
        long memory = m.scalar("memory", def.memoryBytes(), Values.MEMORY_FORM, Values::memory);
        if (memory < (6L << 20)) {
            m.problem("memory", m.value("memory"), String.valueOf(m.string("memory", "")), "at least 6m (Docker's minimum)");
        }
        int pids = m.scalar("pids", def.pids(), "a positive whole number", Values::positiveInt);
        Duration timeout = m.scalar("timeout", def.timeout(), Values.DURATION_FORM, Values::duration);
        long out = m.scalar("maxOutput", def.maxOutputBytes(), Values.MEMORY_FORM, Values::memory);
        return new ResourceLimits(cpus, memory, pids, timeout, out);
    }

    private static ApprovalRule approval(YamlMap m) {
        ApprovalRule def = ApprovalRule.none();
        if (m == null) {
            return def;
        }
        m.rejectUnknown(Set.of("mode", "approvers", "distinctGroups", "expiry", "windows", "blackouts", "allowAdminBypass"));
        ApprovalMode mode = m.scalar("mode", ApprovalMode.NONE, "none, template, owner or dual",
                s -> ApprovalMode.valueOf(s.toUpperCase(java.util.Locale.ROOT)));
        Approvers approvers = Approvers.none();
        YamlMap a = m.map("approvers");
        if (a != null) {
            a.rejectUnknown(Set.of("users", "groups"));
            approvers = new Approvers(a.strings("users", List.of(), "a user id", null), a.strings("groups", List.of(), "a group name", null));
        }
        boolean distinct = m.bool("distinctGroups", false);
        Duration expiry = m.scalar("expiry", def.expiry(), Values.DURATION_FORM, Values::duration);
        List<TimeWindow> windows = m.maps("windows", CatalogParser::window);
        List<Blackout> blackouts = m.maps("blackouts", CatalogParser::blackout);
        boolean bypass = m.bool("allowAdminBypass", false);
        if ((mode == ApprovalMode.OWNER || mode == ApprovalMode.DUAL) && approvers.isEmpty() && m.has("approvers")) {
            m.problem("approvers", m.value("approvers"), "empty", "at least one user or group for mode " + mode.id());
        }
        if (distinct && mode != ApprovalMode.DUAL) {
            m.problem("distinctGroups", m.value("distinctGroups"), "true", "distinctGroups only with mode dual");
        }
        return new ApprovalRule(mode, approvers, distinct, expiry, windows, blackouts, bypass);
    }

    private static TimeWindow window(YamlMap m) {
        m.rejectUnknown(Set.of("days", "from", "to", "zone"));
        List<DayOfWeek> days = m.strings("days", List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                "a day of the week such as mon or monday", s -> Values.day(s).name()).stream().map(DayOfWeek::valueOf).toList();
        LocalTime from = m.scalar("from", null, "a time of day HH:MM", LocalTime::parse);
        LocalTime to = m.scalar("to", null, "a time of day HH:MM", LocalTime::parse);
        ZoneId zone = m.scalar("zone", ZoneId.of("UTC"), "a time zone id such as Europe/Berlin or UTC", ZoneId::of);
        if (!m.has("from")) {
            m.problem("from", null, null, "a time of day HH:MM");
        }
        if (!m.has("to")) {
            m.problem("to", null, null, "a time of day HH:MM");
        }
        if (from != null && to != null && from.equals(to)) {
            m.problem("to", m.value("to"), to.toString(), "a time different from 'from'");
        }
        return from == null || to == null ? null : new TimeWindow(days, from, to, zone);
    }

    private static Blackout blackout(YamlMap m) {
        m.rejectUnknown(Set.of("from", "to", "zone", "reason"));
        String form = "a local date and time such as 2026-12-24T00:00";
        LocalDateTime from = m.scalar("from", null, form, LocalDateTime::parse);
        LocalDateTime to = m.scalar("to", null, form, LocalDateTime::parse);
        ZoneId zone = m.scalar("zone", ZoneId.of("UTC"), "a time zone id such as Europe/Berlin or UTC", ZoneId::of);
        String reason = m.string("reason", "");
        if (!m.has("from")) {
            m.problem("from", null, null, form);
        }
        if (!m.has("to")) {
            m.problem("to", null, null, form);
        }
        if (from != null && to != null && !to.isAfter(from)) {
            m.problem("to", m.value("to"), to.toString(), "a date and time after 'from' (" + from + ")");
        }
        return from == null || to == null ? null : new Blackout(from, to, zone, reason);
    }

    private static RollbackExpectation rollback(String s) {
        for (RollbackExpectation r : RollbackExpectation.values()) {
            if (r.id().equals(s)) {
                return r;
            }
        }
        throw new IllegalArgumentException(s);
    }

    private static EvidencePolicy evidence(YamlMap m) {
        if (m == null) {
            return new EvidencePolicy(false, false);
        }
        m.rejectUnknown(Set.of("keepPrompt", "requireSignature"));
        return new EvidencePolicy(m.bool("keepPrompt", false), m.bool("requireSignature", false));
    }

    private static TaskTemplate template(YamlMap m, Set<String> seen) {
        m.rejectUnknown(Set.of("id", "description", "classes", "promptPattern", "pathScope"));
        String id = m.requiredString("id", "a template id: " + Values.ID_FORM);
        if (id != null && !seen.add(id)) {
            m.problem("id", m.value("id"), id, "a template id not already used");
        }
        List<ExecutionClass> classes = m.strings("classes", List.of("draft"), "draft, delivery or privileged",
                s -> ExecutionClass.parse(s).id()).stream().map(ExecutionClass::parse).toList();
        String pattern = m.scalar("promptPattern", null, "a Java regular expression", s -> {
            try {
                Pattern.compile(s);
                return s;
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(e.getDescription(), e);
            }
        });
        List<String> scope = m.strings("pathScope", List.of(), "a workspace-relative glob such as docs/**", s -> {
            if (s.startsWith("/") || s.contains("..")) {
                throw new IllegalArgumentException(s);
            }
            return s;
        });
        return id == null ? null : new TaskTemplate(id, m.string("description", ""), classes, pattern, scope);
    }
}

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

    private static final Set<String> TOP = Set.of("apiVersion", "classes", "profiles", "templates");
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
        Map<String, Integer> fileIds = new LinkedHashMap<>();
        List<SandboxProfile> parsed = top.maps("profiles", m -> profile(m, fileIds));
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

    private static SandboxProfile profile(YamlMap m, Map<String, Integer> seenIds) {
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
        ToolPolicy tools = new ToolPolicy(m.strings("tools", List.of(), "a tool name: " + Values.ID_FORM, Values::id));
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

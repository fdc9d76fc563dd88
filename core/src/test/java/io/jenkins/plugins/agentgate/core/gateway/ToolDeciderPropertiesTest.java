package io.jenkins.plugins.agentgate.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.agentgate.core.profile.ArgumentConstraint;
import io.jenkins.plugins.agentgate.core.profile.McpTool;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;

/**
 * No call outside the declared tools and their constraints is ever allowed. Each property checks an allowed
 * call against an independent oracle (java.nio paths, plain set membership), never against the decider itself.
 */
class ToolDeciderPropertiesTest {
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> NAMES = List.of("read_file", "write_file", "echo", "list", "Read_File", "read-file", "x");

    @Provide
    Arbitrary<List<McpTool>> declarations() {
        return Arbitraries.of(NAMES).set().ofMaxSize(4)
                .map(names -> names.stream().map(n -> new McpTool(n, "c", Map.of())).toList());
    }

    @Provide
    Arbitrary<String> callNames() {
        return Arbitraries.oneOf(Arbitraries.of(NAMES), Arbitraries.strings().ofMaxLength(12));
    }

    @Property(tries = 500)
    void anUndeclaredToolIsNeverAllowed(@ForAll("declarations") List<McpTool> declared, @ForAll("callNames") String name) {
        ToolDecision d = new ToolDecider(declared).decide(name, F.objectNode());
        Set<String> names = declared.stream().map(McpTool::name).collect(java.util.stream.Collectors.toSet());
        if (d.allowed()) {
            assertThat(names).contains(name);
        } else {
            assertThat(names).doesNotContain(name);
            assertThat(d.ruleId()).isEqualTo(ToolRules.NOT_DECLARED);
        }
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> segment = Arbitraries.of("docs", "src", "api", "..", ".", "", "~", "~root", "docsx", "a b", "x\0y",
                "etc", "passwd", "...");
        Arbitrary<String> relative = segment.list().ofMinSize(1).ofMaxSize(6).map(l -> String.join("/", l));
        return Arbitraries.oneOf(relative, relative.map(p -> "/" + p), relative.map(p -> p + "/"));
    }

    @Provide
    Arbitrary<List<String>> prefixes() {
        return Arbitraries.of("docs", "src/api", "/srv/docs", "/", "docs/api", "etc").set().ofMinSize(1).ofMaxSize(3)
                .map(List::copyOf);
    }

    @Property(tries = 2000)
    void anAllowedPathIsUnderADeclaredPrefix(@ForAll("paths") String path, @ForAll("prefixes") List<String> prefixes) {
        ToolDecider decider = new ToolDecider(List.of(new McpTool("read_file", "c",
                Map.of("path", new ArgumentConstraint(prefixes, List.of())))));
        ObjectNode args = F.objectNode().put("path", path);
        ToolDecision d = decider.decide("read_file", args);
        if (d.allowed()) {
            assertThat(path).doesNotContain("\0");
            assertThat(List.of(path.split("/"))).doesNotContain("..");
            assertThat(path.startsWith("~")).isFalse();
            Path p = Path.of(path).normalize();
            assertThat(prefixes).anySatisfy(prefix -> assertThat(p.isAbsolute() == Path.of(prefix).isAbsolute()
                    && p.startsWith(Path.of(prefix))).isTrue());
        } else {
            assertThat(d.ruleId()).isEqualTo(ToolRules.ARGUMENT_PREFIX);
        }
    }

    @Property(tries = 500)
    void pathsBuiltUnderAPrefixAreAllowed(@ForAll("prefixes") List<String> prefixes,
                                          @ForAll("safeSegments") List<String> rest) {
        // Not vacuous: the decider does let through what the constraint means to allow.
        ToolDecider decider = new ToolDecider(List.of(new McpTool("read_file", "c",
                Map.of("path", new ArgumentConstraint(prefixes, List.of())))));
        String path = prefixes.get(0) + (prefixes.get(0).endsWith("/") ? "" : "/") + String.join("/", rest);
        assertThat(decider.decide("read_file", F.objectNode().put("path", path)).allowed()).isTrue();
    }

    @Provide
    Arbitrary<List<String>> safeSegments() {
        return Arbitraries.strings().withChars("abcXYZ019_-.").ofMinLength(1).ofMaxLength(8)
                .filter(s -> !s.equals(".") && !s.equals("..")).list().ofMaxSize(4);
    }

    @Provide
    Arbitrary<JsonNode> jsonValues() {
        return Arbitraries.oneOf(
                Arbitraries.of("fast", "full", "slow", "FAST", "fast ", "", "1", "true").map(F::textNode),
                Arbitraries.integers().between(-2, 2).map(F::numberNode),
                Arbitraries.of(true, false).map(F::booleanNode),
                Arbitraries.just(F.nullNode()),
                Arbitraries.of("fast", "full").map(s -> (JsonNode) F.arrayNode().add(s)),
                Arbitraries.of("fast", "full").map(s -> (JsonNode) F.objectNode().put("value", s)));
    }

    @Property(tries = 500)
    void anAllowedValueIsOneOfTheDeclaredValues(@ForAll("jsonValues") JsonNode value) {
        List<String> allowed = List.of("fast", "full", "1", "true");
        ToolDecider decider = new ToolDecider(List.of(new McpTool("run", "c",
                Map.of("mode", new ArgumentConstraint(List.of(), allowed)))));
        ToolDecision d = decider.decide("run", F.objectNode().set("mode", value));
        if (d.allowed()) {
            assertThat(value.isValueNode() && !value.isNull()).isTrue();
            assertThat(allowed).contains(value.asText());
        } else {
            assertThat(d.ruleId()).isIn(ToolRules.ARGUMENT_VALUE, ToolRules.ARGUMENT_TYPE, ToolRules.ARGUMENT_MISSING);
        }
    }

    @Provide
    Arbitrary<ObjectNode> argumentObjects() {
        Arbitrary<String> keys = Arbitraries.of("path", "mode", "other");
        Arbitrary<JsonNode> values = Arbitraries.oneOf(jsonValues(), paths().map(F::textNode));
        return Combinators.combine(keys, values).as(Map::entry).list().ofMaxSize(3).map(entries -> {
            ObjectNode o = F.objectNode();
            entries.forEach(e -> o.set(e.getKey(), e.getValue()));
            return o;
        });
    }

    @Property(tries = 1000)
    void everyConstrainedArgumentOfAnAllowedCallIsPresentAndWithin(@ForAll("argumentObjects") ObjectNode args) {
        ToolDecider decider = new ToolDecider(List.of(new McpTool("t", "c", Map.of(
                "path", new ArgumentConstraint(List.of("docs"), List.of()),
                "mode", new ArgumentConstraint(List.of(), List.of("fast", "full"))))));
        ToolDecision d = decider.decide("t", args);
        if (d.allowed()) {
            assertThat(args.has("path") && args.has("mode")).isTrue();
            assertThat(Path.of(args.get("path").asText()).normalize().startsWith(Path.of("docs"))).isTrue();
            assertThat(List.of("fast", "full")).contains(args.get("mode").asText());
        }
    }

    @Example
    void argumentsThatAreNotAnObjectAreATypeDenial() throws Exception {
        ToolDecider decider = new ToolDecider(List.of(new McpTool("t", "c", Map.of())));
        assertThat(decider.decide("t", JSON.readTree("[1]")).ruleId()).isEqualTo(ToolRules.ARGUMENT_TYPE);
        assertThat(decider.decide("t", null).allowed()).isTrue();
        assertThat(decider.decide(null, null).ruleId()).isEqualTo(ToolRules.NOT_DECLARED);
    }

    @Example
    void prefixMatchingIsBySegmentAndAbsolutenessMustAgree() {
        ToolDecider decider = new ToolDecider(List.of(new McpTool("r", "c",
                Map.of("path", new ArgumentConstraint(List.of("docs", "/srv/docs"), List.of())))));
        assertThat(decider.decide("r", F.objectNode().put("path", "docs")).allowed()).isTrue();
        assertThat(decider.decide("r", F.objectNode().put("path", "./docs//a/./b")).allowed()).isTrue();
        assertThat(decider.decide("r", F.objectNode().put("path", "/srv/docs/x")).allowed()).isTrue();
        assertThat(decider.decide("r", F.objectNode().put("path", "docsx/a")).allowed()).isFalse();
        assertThat(decider.decide("r", F.objectNode().put("path", "/docs/a")).allowed()).isFalse();
        assertThat(decider.decide("r", F.objectNode().put("path", "srv/docs/a")).allowed()).isFalse();
        assertThat(decider.decide("r", F.objectNode().put("path", "docs/../secrets")).allowed()).isFalse();
        assertThat(decider.decide("r", F.objectNode().put("path", "~/docs")).allowed()).isFalse();
    }
}

package io.jenkins.plugins.agentgate.plugin.config;

import static io.jenkins.plugins.casc.misc.Util.getSecurityRoot;
import static io.jenkins.plugins.casc.misc.Util.toYamlString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.casc.ConfigurationAsCode;
import io.jenkins.plugins.casc.ConfigurationContext;
import io.jenkins.plugins.casc.ConfiguratorException;
import io.jenkins.plugins.casc.ConfiguratorRegistry;
import io.jenkins.plugins.casc.misc.ConfiguredWithCode;
import io.jenkins.plugins.casc.misc.JenkinsConfiguredWithCodeRule;
import io.jenkins.plugins.casc.misc.junit.jupiter.WithJenkinsConfiguredWithCode;
import io.jenkins.plugins.casc.model.CNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** JCasC import, export and a full round trip (export, wipe, re-import) of {@code security: agentGate:}. */
@WithJenkinsConfiguredWithCode
class ConfigurationAsCodeTest {

    private static final String FILE = "configuration-as-code.yml";

    @TempDir
    Path tmp;

    @Test
    @ConfiguredWithCode(FILE)
    void importsTheSecurityBlock(JenkinsConfiguredWithCodeRule r) throws Exception {
        AgentGateConfiguration config = AgentGateConfiguration.get();
        assertEquals("evidence-key", config.getSigningKeyCredentialsId());
        assertEquals("registry.example.com/agents/codex:1.2", config.getDefaultImage());
        assertEquals("team-delivery", config.getCatalog().classes().get(ExecutionClass.DELIVERY));
        assertEquals(expected().get("catalogYaml"), config.getCatalogYaml());
    }

    @Test
    @ConfiguredWithCode(FILE)
    void exportsWhatWasImported(JenkinsConfiguredWithCodeRule r) throws Exception {
        assertEquals(expected(), exported());
    }

    @Test
    @ConfiguredWithCode(FILE)
    void roundTripsThroughExportAndReimport(JenkinsConfiguredWithCodeRule r) throws Exception {
        String block = toYamlString(agentGateNode());
        AgentGateConfiguration config = AgentGateConfiguration.get();
        config.setCatalogYaml(null);
        config.setSigningKeyCredentialsId(null);
        config.setDefaultImage(null);
        assertNull(config.getCatalogYaml());

        Path file = tmp.resolve("exported.yml");
        String indented = block.lines().map(l -> "    " + l).collect(Collectors.joining("\n"));
        Files.writeString(file, "security:\n  agentGate:\n" + indented + "\n", StandardCharsets.UTF_8);
        ConfigurationAsCode.get().configure(file.toString());

        assertEquals(expected(), exported());
        assertEquals("team-delivery", config.getCatalog().classes().get(ExecutionClass.DELIVERY));
    }

    @Test
    @ConfiguredWithCode(FILE)
    void anInvalidCatalogFailsTheImportWithEveryProblem(JenkinsConfiguredWithCodeRule r) throws Exception {
        Path file = tmp.resolve("broken.yml");
        Files.writeString(file, """
                security:
                  agentGate:
                    catalogYaml: |
                      apiVersion: agentgate/v1
                      profiles:
                        - id: team-delivery
                          netwrk: {}
                      classes:
                        delivery: no-such-profile
                """, StandardCharsets.UTF_8);
        ConfiguratorException e = assertThrows(ConfiguratorException.class,
                () -> ConfigurationAsCode.get().configure(file.toString()));
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertTrue(messages.toString().contains("catalogYaml:4: profiles[0].netwrk"), messages.toString());
        assertTrue(messages.toString().contains("catalogYaml:6: classes.delivery"), messages.toString());
        // Nothing of the broken catalog was applied.
        assertEquals(expected().get("catalogYaml"), AgentGateConfiguration.get().getCatalogYaml());
    }

    private static CNode agentGateNode() throws Exception {
        ConfigurationContext context = new ConfigurationContext(ConfiguratorRegistry.get());
        return getSecurityRoot(context).get("agentGate");
    }

    private static Map<String, Object> exported() throws Exception {
        return yaml().load(toYamlString(agentGateNode()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> expected() throws Exception {
        try (InputStream in = ConfigurationAsCodeTest.class.getResourceAsStream(FILE)) {
            Map<String, Object> all = yaml().load(in);
            return (Map<String, Object>) ((Map<String, Object>) all.get("security")).get("agentGate");
        }
    }

    private static Yaml yaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }
}

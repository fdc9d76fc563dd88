package io.jenkins.plugins.agentgate.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The core is Jenkins-free and its packages follow the diagram in docs/architecture.md.
 * Changing the diagram means changing this test and the doc together.
 */
class ArchitectureTest {
    private static final String ROOT = "io.jenkins.plugins.agentgate.core";
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void coreImportsNothingFromJenkins() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "hudson..", "jenkins..", "org.kohsuke..", "org.jenkinsci..", "io.jenkins.plugins.agentgate.cli..")
                .because("core holds every decision and must run without Jenkins (the plugin is adapters only)")
                .check(CORE);
    }

    @Test
    void packagesFollowTheDesignDiagram() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .withOptionalLayers(true)
                .layer("json").definedBy(ROOT + ".json..")
                .layer("execution").definedBy(ROOT + ".execution..")
                .layer("port").definedBy(ROOT + ".port..")
                .layer("profile").definedBy(ROOT + ".profile..")
                .layer("policy").definedBy(ROOT + ".policy..")
                .layer("approval").definedBy(ROOT + ".approval..")
                .layer("egress").definedBy(ROOT + ".egress..")
                .layer("gateway").definedBy(ROOT + ".gateway..")
                .layer("sandbox").definedBy(ROOT + ".sandbox..")
                .layer("credentials").definedBy(ROOT + ".credentials..")
                .layer("evidence").definedBy(ROOT + ".evidence..")
                .layer("run").definedBy(ROOT + ".run..")
                .whereLayer("json").mayNotAccessAnyLayer()
                .whereLayer("execution").mayNotAccessAnyLayer()
                .whereLayer("port").mayOnlyAccessLayers("json", "execution")
                .whereLayer("profile").mayOnlyAccessLayers("json", "execution")
                .whereLayer("policy").mayOnlyAccessLayers("json", "execution", "profile")
                .whereLayer("approval").mayOnlyAccessLayers("json", "execution", "port", "profile", "policy")
                .whereLayer("egress").mayOnlyAccessLayers("json", "execution", "port", "profile", "policy")
                .whereLayer("gateway").mayOnlyAccessLayers("json", "execution", "port", "profile", "policy")
                .whereLayer("sandbox").mayOnlyAccessLayers("json", "execution", "port", "profile", "policy", "egress")
                .whereLayer("credentials").mayOnlyAccessLayers("json", "execution", "port", "profile", "policy", "sandbox")
                .whereLayer("evidence").mayOnlyAccessLayers("json", "execution", "port", "profile", "policy", "approval",
                        "sandbox", "credentials")
                .whereLayer("run").mayOnlyAccessLayers("json", "execution", "port", "profile", "policy", "approval",
                        "egress", "gateway", "sandbox", "credentials", "evidence")
                .check(CORE);
    }

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(CORE);
    }
}

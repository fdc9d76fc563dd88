package io.jenkins.plugins.agentgate.plugin;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.constructors;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.properties.HasOwner;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import hudson.model.Descriptor;
import hudson.util.ComboBoxModel;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.agentgate.core.approval.LedgerEntry;
import jenkins.model.Jenkins;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.interceptor.RequirePOST;
import org.kohsuke.stapler.verb.POST;

/**
 * Rules every class of the plugin keeps (after warnings-ng's PluginArchitectureTest): form endpoints are
 * POST-only and permission-checked, one facade reaches Jenkins, processes start only through a Launcher
 * (so on the agent), and decisions are core's — the plugin neither fabricates them nor reaches into the
 * rules that make them.
 */
@AnalyzeClasses(packages = "io.jenkins.plugins.agentgate.plugin", importOptions = ImportOption.DoNotIncludeTests.class)
class PluginArchitectureTest {

    private static final String CORE = "io.jenkins.plugins.agentgate.core";

    @ArchTest
    static final ArchRule VALIDATION_IS_POST_AND_PERMISSION_CHECKED = methods()
            .that().areDeclaredInClassesThat().areAssignableTo(Descriptor.class)
            .and().haveNameMatching("doCheck[A-Z].*")
            .and().haveRawReturnType(FormValidation.class)
            .should().beAnnotatedWith(POST.class)
            .andShould().bePublic()
            .andShould(checkAPermission());

    @ArchTest
    static final ArchRule LIST_FILLS_ARE_POST_AND_PERMISSION_CHECKED = methods()
            .that().areDeclaredInClassesThat().areAssignableTo(Descriptor.class)
            .and().haveNameMatching("doFill[A-Z].*")
            .and().haveRawReturnType(JavaClass.Predicates.assignableTo(ListBoxModel.class)
                    .or(JavaClass.Predicates.assignableTo(ComboBoxModel.class)))
            .should().beAnnotatedWith(POST.class)
            .andShould().bePublic()
            .andShould(checkAPermission());

    @ArchTest
    static final ArchRule POST_ENDPOINTS_CHECK_A_PERMISSION = methods()
            .that().areAnnotatedWith(RequirePOST.class)
            .should().bePublic()
            .andShould(checkAPermission())
            .because("a state-changing endpoint (e.g. approve, reject) must say who may call it");

    @ArchTest
    static final ArchRule WEB_METHODS_ARE_POST_ONLY = methods()
            .that().haveNameMatching("do(Approve|Reject)")
            .should().beAnnotatedWith(RequirePOST.class)
            .because("votes change a build's state; a GET (a link, an image) must never cast one");

    @ArchTest
    static final ArchRule PACKAGES_ARE_FREE_OF_CYCLES = SlicesRuleDefinition.slices()
            .matching("io.jenkins.plugins.agentgate.plugin.(*)..")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule ONLY_THE_FACADE_REACHES_JENKINS = noClasses()
            .that().doNotHaveFullyQualifiedName(JenkinsFacade.class.getName())
            .should().callMethod(Jenkins.class, "get")
            .orShould().callMethod(Jenkins.class, "getInstance")
            .orShould().callMethod(Jenkins.class, "getInstanceOrNull")
            .orShould().callMethod(Jenkins.class, "getActiveInstance")
            .orShould().callMethod(hudson.model.User.class, "current");

    @ArchTest
    static final ArchRule PROCESSES_START_ONLY_THROUGH_A_LAUNCHER = noClasses()
            .should().dependOnClassesThat().haveFullyQualifiedName("java.lang.ProcessBuilder")
            .orShould().callMethod(Runtime.class, "exec", String.class)
            .orShould().callMethod(Runtime.class, "exec", String[].class)
            .because("agent runs belong on the build agent, which only a Launcher reaches");

    @ArchTest
    static final ArchRule DECISIONS_ARE_NOT_FABRICATED = noClasses()
            .should().callConstructorWhere(JavaCall.Predicates.target(HasOwner.Predicates.With.owner(
                    JavaClass.Predicates.resideInAnyPackage(CORE + ".policy..", CORE + ".approval..")
                            .and(DescribedPredicate.not(JavaClass.Predicates.simpleNameEndingWith("Engine")))
                            .and(DescribedPredicate.not(JavaClass.Predicates.equivalentTo(LedgerEntry.class))))))
            .because("verdicts, plans and approval states come out of core's engines (which the plugin may create),"
                    + " never out of the plugin; a LedgerEntry is an input (a vote as Jenkins authenticated it), not a verdict");

    @ArchTest
    static final ArchRule RULE_INTERNALS_STAY_IN_CORE = noClasses()
            .should().dependOnClassesThat().haveFullyQualifiedName(CORE + ".policy.Narrowing")
            .orShould().dependOnClassesThat().haveFullyQualifiedName(CORE + ".policy.Rules")
            .because("the plugin calls the engines' entry points; how they decide is not its business");

    @ArchTest
    static final ArchRule DATA_BOUND_CONSTRUCTORS_IN_PUBLIC_CLASSES = constructors()
            .that().areAnnotatedWith(DataBoundConstructor.class)
            .should().beDeclaredInClassesThat().arePublic().allowEmptyShould(true);

    @ArchTest
    static final ArchRule DATA_BOUND_SETTERS_IN_PUBLIC_CLASSES = methods()
            .that().areAnnotatedWith(DataBoundSetter.class)
            .should().beDeclaredInClassesThat().arePublic();

    private static ArchCondition<JavaMethod> checkAPermission() {
        return new ArchCondition<>("check a permission through JenkinsFacade") {
            @Override
            public void check(JavaMethod method, ConditionEvents events) {
                if (method.getModifiers().contains(JavaModifier.SYNTHETIC)) {
                    return;
                }
                boolean checks = method.getCallsFromSelf().stream().anyMatch(call ->
                        call.getTarget().getOwner().isEquivalentTo(JenkinsFacade.class)
                                && (call.getName().equals("hasPermission") || call.getName().equals("checkPermission")));
                if (!checks) {
                    events.add(SimpleConditionEvent.violated(method, method.getFullName()
                            + " does not call JenkinsFacade.hasPermission/checkPermission"));
                }
            }
        };
    }
}

package io.jenkins.plugins.agentgate.plugin.process;

import hudson.Launcher;
import hudson.util.StreamTaskListener;
import io.jenkins.plugins.agentgate.core.port.CommandRunner;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/** The port's contract for the Launcher runner on the controller's own launcher. */
@WithJenkins
class LauncherCommandRunnerTest extends CommandRunnerContract {

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private CommandRunner runner;

    @BeforeEach
    void setUp(JenkinsRule r) {
        StreamTaskListener listener = new StreamTaskListener(log, StandardCharsets.UTF_8);
        runner = new LauncherCommandRunner(new Launcher.LocalLauncher(listener), listener);
    }

    @Override
    protected CommandRunner runner() {
        return runner;
    }

    @Override
    protected String runnerLog() {
        return log.toString(StandardCharsets.UTF_8);
    }
}

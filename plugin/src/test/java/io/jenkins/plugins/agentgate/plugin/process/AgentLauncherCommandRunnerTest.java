package io.jenkins.plugins.agentgate.plugin.process;

import hudson.model.Slave;
import hudson.util.StreamTaskListener;
import io.jenkins.plugins.agentgate.core.port.CommandRunner;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * The same contract through a real agent: commands, environment, streams and the kill all cross the
 * remoting channel, as they do when {@code agentRun} runs inside {@code node('linux')}.
 */
@WithJenkins
class AgentLauncherCommandRunnerTest extends CommandRunnerContract {

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private CommandRunner runner;

    @BeforeEach
    void setUp(JenkinsRule r) throws Exception {
        Slave agent = r.createOnlineSlave();
        StreamTaskListener listener = new StreamTaskListener(log, StandardCharsets.UTF_8);
        runner = new LauncherCommandRunner(agent.createLauncher(listener), listener);
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

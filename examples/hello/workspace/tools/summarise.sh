#!/bin/sh
# A stand-in for an agent CLI: reads its task, inspects the workspace, and tries two things its
# profile forbids (changing the Jenkinsfile, opening a connection), to show that the sandbox holds.
echo "task:    $(head -n 1 "$AGENTGATE_TASK_FILE")"
echo "user:    $(id -u):$(id -g)"
echo "files:"
find . -type f | sort | sed 's/^/  /'
echo "docs:    $(cat docs/*.md | wc -l) lines in $(ls docs/*.md | wc -l) files"
if (echo '// edited by the agent' >> Jenkinsfile) 2>/dev/null; then
  echo "Jenkinsfile: CHANGED (the sandbox let it through)"; exit 1
else
  echo "Jenkinsfile: read-only, as the profile says"
fi
if echo hi | nc -w 2 127.0.0.1 80 2>/dev/null; then
  echo "network: OPEN (the sandbox let it through)"; exit 1
else
  echo "network: closed, as the profile says"
fi

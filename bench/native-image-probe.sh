#!/usr/bin/env bash
# Feasibility probe for a GraalVM native image of the CLI (docs/performance.md, "not buildable here"): fetches
# the native-image builder's jars from Maven Central into a private local repository (never ~/.m2), starts the
# builder's main class directly with the JVM flags the `native-image` launcher would pass, on a hello-world jar,
# and prints the builder's first error. Exit 0 if an executable was produced, 1 if not.
#   bench/native-image-probe.sh 25.0.2    (JAVA_HOME defaults to /usr/lib/jvm/temurin-25-jdk-amd64)
#   bench/native-image-probe.sh 23.1.8    (runs on the default java, OpenJDK 17)
set -euo pipefail
cd "$(dirname "$0")/.."
v="${1:-25.0.2}"
if [[ "$v" == 2[4-9].* && -z "${JAVA_HOME:-}" ]]; then export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
repo="${GRAAL_M2:-/tmp/agentgate-graal-m2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

./mvnw -B -q -Dmaven.repo.local="$repo" dependency:get -Dartifact="org.graalvm.nativeimage:svm:$v" >/dev/null
jars=$(find "$repo/org/graalvm" -path "*/$v/*" -name "*-$v.jar" ! -name "*-sources.jar")
compiler=$(echo "$jars" | grep "/compiler/compiler/")
mp=$(echo "$jars" | grep -v "/compiler/compiler/" | paste -sd:)
echo "builder jars ($v):"; echo "$jars" | sed "s|$repo/|  |"
for j in $jars; do unzip -l "$j" | awk '{print $4}' | grep -E '\.(a|so|h|c)$' | sed "s|^|  native file in $(basename "$j"): |" || true; done

targets="org.graalvm.nativeimage.builder,org.graalvm.nativeimage.base,org.graalvm.nativeimage.pointsto,org.graalvm.nativeimage.objectfile,jdk.internal.vm.compiler,jdk.graal.compiler,ALL-UNNAMED"
for m in java.base jdk.internal.vm.ci jdk.jfr jdk.management jdk.internal.jvmstat jdk.unsupported jdk.zipfs java.management; do
  "$java" --describe-module "$m" 2>/dev/null | awk '/^exports|^contains/ {print $2} /^qualified exports/ {print $3}' | sort -u |
    while read -r p; do echo "--add-exports=$m/$p=$targets"; echo "--add-opens=$m/$p=$targets"; done
done > "$work/args"

mkdir -p "$work/src" "$work/classes" "$work/out"
echo 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }' > "$work/src/Hello.java"
"${JAVA_HOME:+$JAVA_HOME/bin/}javac" -d "$work/classes" "$work/src/Hello.java"
set +e
"$java" -Xmx4g -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI -XX:-UseJVMCICompiler \
  -Djava.system.class.loader=com.oracle.svm.hosted.NativeImageSystemClassLoader \
  -Dorg.graalvm.nativeimage.imagecode=buildtime @"$work/args" \
  --upgrade-module-path "$compiler" --module-path "$mp" --add-modules ALL-MODULE-PATH \
  -m org.graalvm.nativeimage.builder/com.oracle.svm.hosted.NativeImageGeneratorRunner \
  -imagecp "$work/classes" -H:Name=hello -H:Class=Hello -H:Path="$work/out" \
  -H:ImageBuildID="$(cat /proc/sys/kernel/random/uuid)" > "$work/log" 2>&1
set -e
grep -v '^WARNING' "$work/log" | grep -E -A3 '^Error|^Fatal error|requires|not found' | head -20
if [[ -x "$work/out/hello" ]]; then echo "native image built"; exit 0; fi
echo "no native image: see the error above"; exit 1

#!/usr/bin/env bash
# Builds the Java verifier with the JDK alone (no Maven: Maven Central is not reachable here):
#   ./build.sh          compile the library, the tests and the example; build/licensemint-verify.jar
#   ./build.sh test     the above, then run every vector case (../vectors/v1.json, or $LICENSEMINT_VECTORS)
# Everything goes to build/ (gitignored). Sources use the Java 15 API (--release 15).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
rm -rf build
mkdir -p build/classes build/test-classes build/example-classes
javac --release 15 -Xlint:all -Werror -d build/classes $(find src/main/java -name '*.java')
javac --release 15 -Xlint:all -Werror -cp build/classes -d build/test-classes $(find src/test/java -name '*.java')
javac --release 15 -Xlint:all -Werror -cp build/classes -d build/example-classes $(find src/example/java -name '*.java')
printf 'Main-Class: dev.licensemint.verify.Cli\n' > build/manifest.txt
jar --create --file build/licensemint-verify.jar --manifest build/manifest.txt -C build/classes .
if [ "${1:-}" = test ]; then
  java -cp build/classes:build/test-classes dev.licensemint.verify.VectorTest "${LICENSEMINT_VECTORS:-$here/../vectors/v1.json}"
fi

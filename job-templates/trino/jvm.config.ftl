[#ftl]
-server
-Xmx[=cluster.jvm.heapMb]M
-XX:+UseG1GC
[#-- Trino's recommended 32M regions suit its usual heaps of many GB. On a small heap (the 512M
     default) they leave G1 16 regions, and with them a fresh worker under DrainPathsIT's load died
     of OutOfMemoryError in CI. Below 8 GB, G1 sizes its regions itself (1M at 512M, 2M at 4G). --]
[#if cluster.jvm.heapMb gte 8192]
-XX:G1HeapRegionSize=32M
[/#if]
-XX:+ExplicitGCInvokesConcurrent
-XX:+ExitOnOutOfMemoryError
-XX:-OmitStackTraceInFastThrow
-XX:ReservedCodeCacheSize=[=vars.jvm_code_cache]
-XX:PerMethodRecompilationCutoff=10000
-XX:PerBytecodeRecompilationCutoff=10000
-Djdk.attach.allowAttachSelf=true
-Djdk.nio.maxCachedBufferSize=2000000
-Dfile.encoding=UTF-8
[#list vars.jvm_extra_options as option]
[=option]
[/#list]
[#-- Java 25's AOT cache of the installation's lib/ classes (vars.jvm_aot_cache: scripts/setup.sh trains one inside
     $TRINO_HOME for the local stack and the tests). Only when it belongs to the installation this cluster runs: a
     cluster of another version, or PrestoDB on Java 11 (which refuses the option), starts without it. --]
[#assign aotCache = (vars.jvm_aot_cache)!""]
[#if aotCache?has_content && engineHome?has_content && aotCache?starts_with(engineHome + "/")]
-XX:AOTCache=[=aotCache]
[/#if]

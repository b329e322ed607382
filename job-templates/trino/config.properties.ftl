[#ftl]
[#-- config.properties for [=role]; role is "coordinator" or "worker". Output is a consul-template (Nomad task template). --]
[#if role == "coordinator"]
coordinator=true
node-scheduler.include-coordinator=false
[#if engine.processForwarded]
http-server.process-forwarded=true
[/#if]
[#if engine.discoveryServer]
discovery-server.enabled=true
[/#if]
[#else]
coordinator=false
[/#if]
http-server.http.port={{ env "NOMAD_PORT_http" }}
[#if engine.liveCatalogs]
[#-- catalogs change live (issue 18): every node loads them from the coordinator, which keeps them as files --]
catalog.management=dynamic
[#if role == "coordinator"]
catalog.store=file
[/#if]
[/#if]
[#if vars.discovery == "static"]
discovery.uri=http://[=vars.coordinator_host]:[=coordinatorPort]
[#else]
[#-- the coordinator of this allocation's own side: during a blue-green switch two coordinators are registered --]
discovery.uri={{ with service "side-[=cluster.side].[=cluster.names.coordinatorService]" }}{{ with index . 0 }}http://{{ .Address }}:{{ .Port }}{{ end }}{{ end }}
[/#if]
query.max-memory=[=cluster.queryMemory.max]
query.max-memory-per-node=[=cluster.queryMemory.maxPerNode]
[#if engine.totalMemoryPerNode && !(cluster.properties["query.max-total-memory-per-node"])??]
[#-- PrestoDB's default is twice max-memory-per-node: with the headroom more than the heap, and the server does not start --]
query.max-total-memory-per-node=[=cluster.queryMemory.maxPerNode]
[/#if]
memory.heap-headroom-per-node=[=cluster.jvm.headroom]
[#if role == "coordinator"]
[#-- a query that arrives before any worker is active waits for one instead of failing --]
[#if !(cluster.properties["query-manager.required-workers"])??]
query-manager.required-workers=1
[/#if]
[#if !(cluster.properties["query-manager.required-workers-max-wait"])??]
query-manager.required-workers-max-wait=[=vars.required_workers_max_wait]
[/#if]
[/#if]
[#if !(cluster.properties["shutdown.grace-period"])??]
shutdown.grace-period=[=vars.shutdown_grace_period]
[/#if]
[#list cluster.properties as key, value]
[=key]=[=value]
[/#list]

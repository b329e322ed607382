[#ftl]
io.trino=[=params["log-level"]!vars.log_level]

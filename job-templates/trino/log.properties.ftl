[#ftl]
[=engine.logger]=[=params["log-level"]!vars.log_level]

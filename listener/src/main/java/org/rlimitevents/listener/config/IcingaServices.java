package org.rlimitevents.listener.config;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.rlimitevents.listener.remote.IcingaApi;

/**
 * Watches from Icinga 2, the equivalent of reading Nagios's object cache: this host's services
 * whose check_command is "rlimit", or which set vars.rlimit_* (those importing the "rlimit-passive"
 * template, whose own check is ITL's "passive"), each with the arguments the CheckCommand renders.
 */
public final class IcingaServices {
    private IcingaServices() {
    }

    public static List<ServiceDefinition> fetch(IcingaApi api, String host) throws ConfigException {
        List<ServiceDefinition> services = new ArrayList<>();
        try {
            for (JsonElement e : api.services(host)) {
                JsonObject attrs = e.getAsJsonObject().getAsJsonObject("attrs");
                String name = attrs.get("name").getAsString();
                JsonObject vars = attrs.has("vars") && attrs.get("vars").isJsonObject()
                        ? attrs.getAsJsonObject("vars") : null;
                if (!"rlimit".equals(attrs.get("check_command").getAsString()) && !hasRlimitVars(vars)) {
                    continue;
                }
                String where = api.url() + " service " + host + "!" + name;
                try {
                    services.add(ServiceFile.definition(where, host, name, IcingaArguments.of(vars)));
                } catch (IllegalArgumentException ex) {
                    throw new ConfigException(where + ": " + ex.getMessage());
                }
            }
        } catch (IOException e) {
            throw new ConfigException("cannot read services from Icinga: " + e.getMessage());
        }
        return services;
    }

    private static boolean hasRlimitVars(JsonObject vars) {
        if (vars != null) {
            for (String key : vars.keySet()) {
                if (key.startsWith("rlimit_")) {
                    return true;
                }
            }
        }
        return false;
    }
}

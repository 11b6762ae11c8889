# Shared helpers of the rolecall engine: access to the resolved grants in data.rolecall_data
# with safe defaults, and small predicates on JSON values that never raise errors.
package rolecall

# The resolved policy (core/policy.ts ResolvedPolicy); an empty object when it is missing, so
# every entrypoint still answers (and denies) instead of being undefined.
policy_data := resolved if {
	resolved := data.rolecall_data
	is_object(resolved)
} else := {}

# The bundle's data revision, echoed in every decision.
revision := value if {
	value := policy_data.revision
	is_string(value)
} else := ""

multi_tenant if policy_data.settings.multi_tenant_enabled == true

# The grants in effect per scope, role and action after the layers that do not depend on the
# input (core/policy.ts DecisionTables): decisions layer only the input's modifiers on top.
decision_tables := policy_data.decision_tables

# Client side unless the caller says server: a missing context means client side.
server_side if input.context.side == "server"

# The value of an optional field: null when the field is absent (or the container is no object).
optional_field(container, key) := value if {
	is_object(container)
	value := object.get(container, key, null)
} else := null

non_empty_string(value) if {
	is_string(value)
	value != ""
}

string_or_null(value) if is_string(value)

string_or_null(value) if value == null

string_array(value) if {
	is_array(value)
	every item in value {
		is_string(item)
	}
}

string_array_or_null(value) if string_array(value)

string_array_or_null(value) if value == null

# A modifier is a permission id ("send-audio") or its revoke ("!send-audio").
modifier(value) if {
	is_string(value)
	trim_prefix(value, "!") != ""
}

# A list of modifiers in which no id is both granted and revoked.
modifier_list(value) if {
	is_array(value)
	every item in value {
		modifier(item)
	}
	not conflicting_modifiers(value)
}

conflicting_modifiers(list) if {
	some item in list
	startswith(item, "!")
	trim_prefix(item, "!") in list
}

# role → modifier list, or null (no modifiers).
grants_modifiers_or_null(value) if value == null

grants_modifiers_or_null(value) if {
	is_object(value)
	every modifiers in value {
		modifier_list(modifiers)
	}
}

# The subject's teams; [] when absent or null.
subject_teams := teams if {
	teams := input.subject.teams
	is_array(teams)
} else := []

subject_teamless if count(subject_teams) == 0

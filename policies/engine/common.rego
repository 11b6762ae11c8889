# Shared helpers of the rolecall engine: access to the resolved grants in data.rolecall_data
# with safe defaults, and small predicates on JSON values that never raise errors.
package rolecall

# The resolved policy (core/policy.ts ResolvedPolicy), read through direct references: a field
# of a missing (or non-object) document is undefined, so every entrypoint still answers (and
# denies) instead of being undefined. A reference reads only what it names, and costs no rule
# evaluation.
import data.rolecall_data as policy_data

# The bundle's data revision, echoed in every decision.
revision := value if {
	value := policy_data.revision
	is_string(value)
} else := ""

# Multi-tenant unless the data says `false`: a document without the boolean setting (no compile
# writes one) keeps tenants apart instead of dropping every team check (fail closed).
multi_tenant if not policy_data.settings.multi_tenant_enabled == false

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

# A list of modifiers — each a permission id ("send-audio") or its revoke ("!send-audio") — in
# which no id is both granted and revoked. Comprehensions rather than a function call per item:
# in OPA every function call costs several expressions.
modifier_list(value) if {
	is_array(value)
	[item | some item in value; not is_string(item)] == []
	[item | some item in value; trim_prefix(item, "!") == ""] == []
	[item | some item in value; startswith(item, "!"); trim_prefix(item, "!") in value] == []
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

# Hand-written checks of the decision and query_filter input shapes (DESIGN §4 rule 1). They are
# plain Rego because json.match_schema does not exist in WASM; unknown extra fields are ignored.
# A well-formed input passes one cheap check; only when it fails is the list of problems built,
# for the INVALID_INPUT message. Missing fields are read with defaults, never as bare references
# (`not f(input.missing)` is not true in Rego: the undefined reference fails the whole expression).
package rolecall

# The happy path of rule 1: one rule body that holds for a well-formed decision input and never
# for a malformed one (a valid input it missed would still be found valid by the problem list).
# An optional field is read with a null default and must have one of its types or "null"; a
# comprehension over a null list finds nothing, so a null list passes like an empty one. Lists
# are checked by comprehensions, not by a function call per item (each call costs several
# expressions in OPA, and every decision runs this check).
well_formed_decision_input if {
	is_string(input.action)
	well_formed_subject
	well_formed_resource
	well_formed_context_and_changes
}

# Everything of a decision input but its action (capabilities asks about every action).
well_formed_request if {
	well_formed_subject
	well_formed_resource
	well_formed_context_and_changes
}

# Most inputs have neither a context nor changes: one filter tells it.
well_formed_context_and_changes if object.filter(input, ["context", "changes"]) == {}

well_formed_context_and_changes if {
	type_name(object.get(input, "context", null)) in {"object", "null"}
	object.get(input, ["context", "side"], "client") in {"client", "server"}
	type_name(object.get(input, ["context", "listing"], null)) in {"boolean", "null"}
	changes := object.get(input, "changes", null)
	type_name(changes) in {"array", "null"}
	[change | some change in changes; not is_string(change)] == []
}

well_formed_query_input if {
	well_formed_subject
	input.action in {"QueryUsers", "QueryCalls"}
	type_name(object.get(input, "context", null)) in {"object", "null"}
	object.get(input, ["context", "side"], "client") in {"client", "server"}
	type_name(object.get(input, ["context", "listing"], null)) in {"boolean", "null"}
	type_name(object.get(input, "query", null)) in {"object", "null"}
	type_name(object.get(input, ["query", "filter_conditions"], null)) in {"object", "null"}
}

well_formed_subject if {
	subject := input.subject
	is_string(subject.id)
	subject.id != ""
	is_string(subject.role)
	teams := object.get(subject, "teams", null)
	type_name(teams) in {"array", "null"}
	[team | some team in teams; not is_string(team)] == []
	type_name(object.get(subject, "call_role", null)) in {"string", "null"}
	call_grants := object.get(subject, "call_grants", null)
	type_name(call_grants) in {"array", "null"}
	[item | some item in call_grants; not is_string(item)] == []
	[item | some item in call_grants; trim_prefix(item, "!") == ""] == []
	[item | some item in call_grants; startswith(item, "!"); trim_prefix(item, "!") in call_grants] == []
}

well_formed_resource if input.resource.kind == "app"

well_formed_resource if {
	input.resource.kind == "call"
	resource := input.resource
	is_string(resource.call_type)
	resource.call_type != ""
	is_string(resource.id)
	resource.id != ""
	type_name(object.get(resource, "team", null)) in {"string", "null"}
	type_name(object.get(resource, "created_by_id", null)) in {"string", "null"}
	type_name(object.get(resource, "config_overrides", null)) in {"object", "null"}
	grants := object.get(resource, ["config_overrides", "grants"], null)
	type_name(grants) in {"object", "null"}
	[role | some role, modifiers in grants; not modifier_list(modifiers)] == []
}

well_formed_resource if {
	input.resource.kind == "user"
	resource := input.resource
	is_string(resource.id)
	resource.id != ""
	type_name(object.get(resource, "role", null)) in {"string", "null"}
	teams := object.get(resource, "teams", null)
	type_name(teams) in {"array", "null"}
	[team | some team in teams; not is_string(team)] == []
}

# The problems of a malformed input, for its INVALID_INPUT message.

# The input, or null when there is none (an undefined input must still answer INVALID_INPUT).
input_value := value if {
	value := input
} else := null

input_object := input_value if {
	is_object(input_value)
} else := {}

input_subject := optional_field(input_object, "subject")

input_resource := optional_field(input_object, "resource")

input_context := optional_field(input_object, "context")

# Problems of the subject, shared by decisions and query filters.
subject_problems contains "subject must be an object" if not is_object(input_subject)

subject_problems contains "subject.id must be a non-empty string" if {
	is_object(input_subject)
	not non_empty_string(optional_field(input_subject, "id"))
}

subject_problems contains "subject.role must be a string" if {
	is_object(input_subject)
	not is_string(optional_field(input_subject, "role"))
}

subject_problems contains "subject.teams must be an array of strings" if {
	not string_array_or_null(optional_field(input_subject, "teams"))
}

subject_problems contains "subject.call_role must be a string" if {
	not string_or_null(optional_field(input_subject, "call_role"))
}

subject_problems contains "subject.call_grants must be an array of modifiers without conflicts" if {
	grants := optional_field(input_subject, "call_grants")
	grants != null
	not modifier_list(grants)
}

context_problems contains "context must be an object" if {
	input_context != null
	not is_object(input_context)
}

context_problems contains "context.side must be client or server" if {
	side := optional_field(input_context, "side")
	side != null
	not side in {"client", "server"}
}

context_problems contains "context.listing must be a boolean" if {
	listing := optional_field(input_context, "listing")
	listing != null
	not is_boolean(listing)
}

resource_kind := optional_field(input_resource, "kind")

resource_problems contains "resource must be an object" if not is_object(input_resource)

resource_problems contains "resource.kind must be app, call or user" if {
	is_object(input_resource)
	not resource_kind in {"app", "call", "user"}
}

resource_problems contains "resource.call_type must be a non-empty string" if {
	resource_kind == "call"
	not non_empty_string(optional_field(input_resource, "call_type"))
}

resource_problems contains "resource.id must be a non-empty string" if {
	resource_kind in {"call", "user"}
	not non_empty_string(optional_field(input_resource, "id"))
}

resource_problems contains "resource.team must be a string or null" if {
	resource_kind == "call"
	not string_or_null(optional_field(input_resource, "team"))
}

resource_problems contains "resource.created_by_id must be a string or null" if {
	resource_kind == "call"
	not string_or_null(optional_field(input_resource, "created_by_id"))
}

resource_problems contains "resource.config_overrides must be an object or null" if {
	resource_kind == "call"
	overrides := optional_field(input_resource, "config_overrides")
	overrides != null
	not is_object(overrides)
}

resource_problems contains "resource.config_overrides.grants must map roles to modifiers without conflicts" if {
	resource_kind == "call"
	overrides := optional_field(input_resource, "config_overrides")
	not grants_modifiers_or_null(optional_field(overrides, "grants"))
}

resource_problems contains "resource.role must be a string or null" if {
	resource_kind == "user"
	not string_or_null(optional_field(input_resource, "role"))
}

resource_problems contains "resource.teams must be an array of strings" if {
	resource_kind == "user"
	not string_array_or_null(optional_field(input_resource, "teams"))
}

decision_field_problems contains "action must be a string" if {
	not is_string(optional_field(input_object, "action"))
}

decision_field_problems contains "changes must be an array of strings" if {
	not string_array_or_null(optional_field(input_object, "changes"))
}

decision_input_problems := {"input must be an object"} if {
	not is_object(input_value)
} else := ((subject_problems | resource_problems) | context_problems) | decision_field_problems

valid_decision_input if well_formed_decision_input

valid_decision_input if {
	not well_formed_decision_input
	count(decision_input_problems) == 0
}

query_field_problems contains "action must be QueryUsers or QueryCalls" if {
	not optional_field(input_object, "action") in {"QueryUsers", "QueryCalls"}
}

query_field_problems contains "query must be an object or null" if {
	query := optional_field(input_object, "query")
	query != null
	not is_object(query)
}

query_field_problems contains "query.filter_conditions must be an object or null" if {
	conditions := optional_field(optional_field(input_object, "query"), "filter_conditions")
	conditions != null
	not is_object(conditions)
}

query_input_problems := {"input must be an object"} if {
	not is_object(input_value)
} else := (subject_problems | context_problems) | query_field_problems

valid_query_input if well_formed_query_input

valid_query_input if {
	not well_formed_query_input
	count(query_input_problems) == 0
}

# "invalid input: a; b" with the problems sorted, the same text in OPA and WASM.
problems_message(problems) := concat("", ["invalid input: ", concat("; ", sort(problems))])

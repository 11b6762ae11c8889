# `rolecall/capabilities` (Stream's own_capabilities): the full decision for every call-level
# action on a call resource, answered as the sorted plain permission ids of the allowed ones.
package rolecall

capabilities := sort(allowed_capabilities) if {
	is_object(input)
	input.resource.kind == "call"
} else := []

allowed_capabilities contains permission if {
	is_object(input)
	some action_name, definition in policy_data.actions
	definition.level == "call"
	permission := definition.permission
	is_string(permission)
	outcome := decision with input.action as action_name
	outcome.allow == true
}

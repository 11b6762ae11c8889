# `rolecall/batch`: many decisions and query filters in one evaluation, answered in input order.
# A missing or non-array list answers []; each item is checked like a single input.
package rolecall

batch := {
	"decisions": [outcome |
		some item in batch_items("decisions")
		outcome := decision with input as item
	],
	"query_filters": [outcome |
		some item in batch_items("query_filters")
		outcome := query_filter with input as item
	],
}

batch_items(key) := items if {
	is_object(input)
	items := input[key]
	is_array(items)
} else := []

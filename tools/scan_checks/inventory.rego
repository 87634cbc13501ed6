# METADATA
# title: Resource inventory (petclinic-cdktf)
# description: >-
#   Not a security check: one result per resource in trivy's model of the scanned configuration,
#   so that tools.scan can tell which resources trivy read. tools.scan never counts it as a finding.
# custom:
#   id: PETCLINIC-INVENTORY
#   avd_id: PETCLINIC-INVENTORY
#   severity: MEDIUM
#   short_code: resource-inventory
#   input:
#     selector:
#     - type: cloud
package user.petclinic.inventory

import rego.v1

names contains name if {
	walk(input, [_, value])
	is_object(value)
	name := value.__defsec_metadata.resource
	name != ""
}

deny contains res if {
	some name in names
	res := result.new(name, {})
}

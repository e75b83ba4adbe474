{#- A source id maps to one employee on any date: validity ranges of different employees never overlap. -#}
select
    first_identity.source_system,
    first_identity.external_id,
    first_identity.employee_id as first_employee_id,
    second_identity.employee_id as second_employee_id
from {{ ref('int_employee_identities') }} as first_identity
inner join {{ ref('int_employee_identities') }} as second_identity
    on first_identity.source_system = second_identity.source_system
    and first_identity.external_id = second_identity.external_id
    and first_identity.employee_id < second_identity.employee_id
    and first_identity.valid_from <= second_identity.valid_to
    and second_identity.valid_from <= first_identity.valid_to

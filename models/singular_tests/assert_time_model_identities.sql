-- POT = shift − NOT_SCHEDULED; PBT = POT − PDOT; APT = RUNNING + MINOR_STOP;
-- PBT = APT + SETUP + UNPLANNED_STOP + STARVED + BLOCKED + UNKNOWN;
-- reduced speed = APT − MINOR_STOP − ideal produced; ideal produced = ideal good + ideal loss.
-- An incremental build checks the rows it rebuilt (macros/test_window.sql).
select *
from {{ ref('fct_equipment_shifts') }}
where {{ in_test_window() }} and (
    abs(pot_s - (shift_s - not_scheduled_s)) > 1e-6
    or abs(pbt_s - (pot_s - planned_stop_s)) > 1e-6
    or abs(apt_s - (running_s + minor_stop_s)) > 1e-6
    or (
        shift_s > 0
        and abs(pbt_s - (apt_s + setup_s + unplanned_stop_s + starved_s + blocked_s + unknown_s)) > 1e-6
    )
    or abs(reduced_speed_s - (apt_s - minor_stop_s - ideal_produced_s)) > 1e-6
    or abs(ideal_produced_s - (ideal_good_s + ideal_loss_s)) > 1e-6
    or pot_s < 0
    or pbt_s < 0
)

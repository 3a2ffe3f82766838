"""Budget planning over months or weeks: demand, AI adoption, headcount flow, requirements, hires, costs.

* :mod:`.spec`: the plan file (validated, problems reported with field paths).
* :mod:`.periods`: calendar months or weeks, demand factors, the AI ramp.
* :mod:`.workforce`: headcount flow (hires, training, learning curve, attrition).
* :mod:`.requirements`: each period's typical week by Erlang A, and the service a staffing gives.
* :mod:`.hiring`: the fewest hires meeting the requirement (integer program).
* :mod:`.costs`: cost by component per period.
* :mod:`.simulation`: ``--simulate``, a representative week per period on common random numbers.
* :mod:`.plan`: everything together; :mod:`.outputs`: tables, plots, summary.
"""

from .plan import PLANS, PlanResult, periods_table, run_plan, workforce_table
from .spec import PlanFileError, PlanSpec, load_plan_file, parse_plan

__all__ = ["PLANS", "PlanFileError", "PlanResult", "PlanSpec", "load_plan_file", "parse_plan", "periods_table",
           "run_plan", "workforce_table"]

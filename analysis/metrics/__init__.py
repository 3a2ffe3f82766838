"""What a run measured: KPI definitions and counters, costs, satisfaction, statistics over replications."""

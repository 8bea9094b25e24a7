"""The catalog of service items (事项清单): format, loading, eligibility."""

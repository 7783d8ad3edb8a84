"""Time-driven delivery: EventBridge schedules, PutEvents to Lambda targets, SQS event source mappings."""

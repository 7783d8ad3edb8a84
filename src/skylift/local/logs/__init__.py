"""CloudWatch Logs for the local cloud: function output in, filter patterns out."""

"""Read replicas: reads that may lag served by a streaming replica."""

"""RabbitMQ: topology, confirmed publishing, and the consumer with its failure policy."""

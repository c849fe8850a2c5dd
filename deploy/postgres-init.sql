-- A second database for Rasa's conversations (tracker store); the first (ipr) holds the knowledge base and records.
CREATE DATABASE rasa OWNER ipr;

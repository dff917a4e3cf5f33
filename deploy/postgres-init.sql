-- One database per service (docker-compose only).
CREATE DATABASE registry;
CREATE DATABASE notifications;
CREATE DATABASE submissions;
CREATE DATABASE scoring;
CREATE DATABASE portal;

"""Live capacity (capacités disponibles) and tension alerts (TES), written with their audit entries."""

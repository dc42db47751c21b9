"""Scripted answers for walking through the flow in tests (one per question id)."""

TYPED = {
    "goals.offline": "Meer kinderen lid maken; Taalcafé bekender maken",
    "goals.online": "Meer online aanmeldingen voor activiteiten",
    "goals.focus": "Kinderen lid maken",
    "audience.groups": "ouders, scholieren",
    "audience.ages": "30-39, tieners",
    "audience.words": "Jonge gezinnen uit de wijk die nog geen lid zijn",
    "audience.media": "insta, fb, whatsapp",
    "mission.why": "We willen laten zien dat de bibliotheek van iedereen is",
    "mission.statement": "Wij verbinden inwoners met verhalen, kennis en elkaar.",
    "sm_goals.list": "50 aanmeldingen VoorleesExpress via Instagram; 20% meer bereik",
    "sm_goals.link": "Meer kinderen lid maken",
    "kpis.per_goal": "Aanmeldingen; Bereik",
    "kpis.target": "1.200",
    "tactics.channels": "instagram, facebook",
    "tactics.list": "Elke vrijdag een boekentip-reel; Activiteiten in wijkgroepen",
    "tactics.listening": "Google Alerts op de naam van de bibliotheek",
    "tactics.webcare": "De baliecollega's, binnen 24 uur",
    "measure.per_tactic": "Instagram-statistieken in Meta Business Suite",
    "measure.rhythm": "maandelijks",
    "measure.owner": "Fatima van marketing",
}

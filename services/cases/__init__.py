"""The cases service: the pupil's support case (elevärende), from extra adaptations to referral."""

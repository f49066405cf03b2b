"""The review application: staff decisions and queries."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from govcommon.aggregate import meta
from govcommon.application import OgiApplication
from govcommon.errors import NotFound
from govcommon.ids import aggregate_id
from review.domain import Decision, Review


def review_id(application_id: str) -> UUID:
    return aggregate_id("review", application_id)


class ReviewApplication(OgiApplication):
    name = "review"
    service = "review"

    def aggregate_ids_of(self, application_id: str) -> list[UUID]:
        return [review_id(application_id)]

    def review(self, application_id: str) -> Review:
        found = self.find(review_id(application_id), Review)
        if found is None:
            raise NotFound(f"application {application_id} is not under review here")
        return found

    def decide(
        self,
        application_id: str,
        outcome: str,
        grounds: list[str],
        reason: str,
        form_of_provision: str,
        competent_organ: str,
        competent_organ_contact: str,
        where_published: str,
        decided_on: date,
        actor: str,
    ) -> Review:
        uow = self.unit_of_work()
        review = uow.get(review_id(application_id), Review, f"application {application_id}")
        decision = Decision.checked(
            outcome,
            grounds,
            reason,
            form_of_provision,
            review.application["form"],
            competent_organ,
            competent_organ_contact,
            where_published,
        )
        review.decide(decision, decided_on, meta(application_id, actor, decided_on))
        uow.commit()
        return review

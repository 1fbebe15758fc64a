import { useActions, useValues } from 'kea'
import { LemonButton, LemonTable } from '@posthog/lemon-ui'

import { §a§BLogic } from './§a§BLogic'

export function §A§BTable({ teamId }: { teamId: number }): JSX.Element {
    const { §bs, §bsLoading } = useValues(§a§BLogic({ teamId }))
    const { load§Bs, delete§B } = useActions(§a§BLogic({ teamId }))

    return (
        <div className="space-y-2">
            <div className="flex items-center justify-between">
                <h2 className="text-lg font-semibold">§A §bs</h2>
                <LemonButton type="secondary" onClick={() => load§Bs()}>
                    Refresh
                </LemonButton>
            </div>
            <LemonTable
                loading={§bsLoading}
                dataSource={§bs}
                columns={[
                    { title: 'Name', dataIndex: 'name' },
                    { title: 'Updated', dataIndex: 'updated_at' },
                    {
                        render: (_, row) => (
                            <LemonButton status="danger" onClick={() => delete§B(row.id)}>
                                Delete
                            </LemonButton>
                        ),
                    },
                ]}
            />
        </div>
    )
}
